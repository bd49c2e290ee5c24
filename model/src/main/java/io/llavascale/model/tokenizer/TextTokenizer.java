package io.llavascale.model.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A {@code tokenizer.json} loaded with DJL's Hugging Face tokenizers (native library bundled in
 * the jar; loads with {@code ai.djl.offline=true}). Encode adds no special tokens; decode skips
 * them. Special tokens written literally in the text ({@code <image>}, {@code </s>}) are matched
 * as tokens. Thread-safe; close it to free the native handle.
 */
public final class TextTokenizer implements TokenEncoder, AutoCloseable {
  private static final Map<String, String> OPTIONS =
      Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false",
          "modelMaxLength", String.valueOf(Integer.MAX_VALUE / 2));

  private final HuggingFaceTokenizer tokenizer;
  private final int vocabSize;

  private TextTokenizer(HuggingFaceTokenizer tokenizer, int vocabSize) {
    this.tokenizer = tokenizer;
    this.vocabSize = vocabSize;
  }

  public static TextTokenizer load(Path tokenizerJson) {
    try {
      JsonNode root = new ObjectMapper().readTree(tokenizerJson.toFile());
      int vocab = root.path("model").path("vocab").size();
      return new TextTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, OPTIONS), vocab);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson, e);
    }
  }

  /** Loads from bytes (for example read from the object store). */
  public static TextTokenizer load(byte[] tokenizerJson) {
    try {
      Path tmp = Files.createTempFile("tokenizer", ".json");
      try {
        Files.write(tmp, tokenizerJson);
        return load(tmp);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int[] encode(String text) {
    long[] ids = tokenizer.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = (int) ids[i];
    }
    return out;
  }

  /** Words joined by single spaces, special tokens skipped. */
  public String decode(int[] ids) {
    long[] l = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      l[i] = ids[i];
    }
    return tokenizer.decode(l, true).trim();
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
