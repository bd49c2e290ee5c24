package io.llavascale.model.tokenizer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a word-level Hugging Face {@code tokenizer.json} from streamed text.
 *
 * <p>Memory is one word-count map, bounded by {@code maxTrackedWords}: when it overflows, the
 * rarest words are dropped (their counts restart if they appear again), so the final vocabulary
 * is approximate only for words near the cut-off.
 *
 * <p>The written tokenizer: {@code Lowercase} normaliser, {@code BertPreTokenizer} (splits
 * whitespace and punctuation), {@code WordLevel} model with {@code <unk>}, special tokens
 * {@code <pad>=0 <unk>=1 <s>=2 </s>=3 <image>=4} as added tokens (matched before normalisation),
 * then required words, then the most frequent words (ties broken alphabetically), no post
 * processor (nothing is added automatically), no decoder (decode joins words with spaces).
 */
public final class WordTokenizerBuilder {
  /** Words of the conversation templates; always in the vocabulary. */
  public static final List<String> TEMPLATE_WORDS = List.of("user", ":", "assistant");

  private final int maxVocab;
  private final int minFrequency;
  private final int maxTrackedWords;
  private final Set<String> required = new LinkedHashSet<>(TEMPLATE_WORDS);
  private final Map<String, long[]> counts = new HashMap<>();
  private long pruneFloor;

  /**
   * @param maxVocab        vocabulary cap including the special tokens
   * @param minFrequency    words seen fewer times are left out (map to {@code <unk>})
   * @param maxTrackedWords bound of the word-count map
   */
  public WordTokenizerBuilder(int maxVocab, int minFrequency, int maxTrackedWords) {
    if (maxVocab <= SpecialTokens.ALL.size() + TEMPLATE_WORDS.size()) {
      throw new IllegalArgumentException("maxVocab too small: " + maxVocab);
    }
    this.maxVocab = maxVocab;
    this.minFrequency = Math.max(1, minFrequency);
    this.maxTrackedWords = Math.max(1024, maxTrackedWords);
  }

  public WordTokenizerBuilder() {
    this(16_384, 1, 1_000_000);
  }

  /** Words that must be in the vocabulary whatever their count (lowercased, split like text). */
  public WordTokenizerBuilder require(String text) {
    WordSplitter.split(text, required::add);
    return this;
  }

  /** Counts the words of one piece of text. Special tokens in it are ignored. */
  public void add(String text) {
    WordSplitter.split(text, w -> {
      long[] c = counts.get(w);
      if (c == null) {
        counts.put(w, new long[] {1});
        if (counts.size() > maxTrackedWords) {
          prune();
        }
      } else {
        c[0]++;
      }
    });
  }

  public int trackedWords() {
    return counts.size();
  }

  private void prune() {
    // Drop the rarest words until the map is at half its bound.
    while (counts.size() > maxTrackedWords / 2) {
      pruneFloor++;
      Iterator<long[]> it = counts.values().iterator();
      while (it.hasNext()) {
        if (it.next()[0] <= pruneFloor) {
          it.remove();
        }
      }
    }
  }

  /** The vocabulary in id order: specials, required words, frequent words. */
  public List<String> vocabulary() {
    LinkedHashSet<String> vocab = new LinkedHashSet<>(SpecialTokens.ALL);
    vocab.addAll(required);
    List<Map.Entry<String, long[]>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(
        Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
            .thenComparing(Map.Entry::getKey));
    for (Map.Entry<String, long[]> e : entries) {
      if (vocab.size() >= maxVocab) {
        break;
      }
      if (e.getValue()[0] >= minFrequency) {
        vocab.add(e.getKey());
      }
    }
    return new ArrayList<>(vocab);
  }

  /** Writes tokenizer.json; returns the vocabulary size. */
  public int write(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      return write(out);
    }
  }

  /** Writes tokenizer.json to a stream (left open); returns the vocabulary size. */
  public int write(OutputStream out) throws IOException {
    List<String> vocab = vocabulary();
    try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("version", "1.0");
      g.writeNullField("truncation");
      g.writeNullField("padding");
      g.writeArrayFieldStart("added_tokens");
      for (int id = 0; id < SpecialTokens.ALL.size(); id++) {
        g.writeStartObject();
        g.writeNumberField("id", id);
        g.writeStringField("content", SpecialTokens.ALL.get(id));
        g.writeBooleanField("single_word", false);
        g.writeBooleanField("lstrip", false);
        g.writeBooleanField("rstrip", false);
        g.writeBooleanField("normalized", false);
        g.writeBooleanField("special", true);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeObjectFieldStart("normalizer");
      g.writeStringField("type", "Lowercase");
      g.writeEndObject();
      g.writeObjectFieldStart("pre_tokenizer");
      g.writeStringField("type", "BertPreTokenizer");
      g.writeEndObject();
      g.writeNullField("post_processor");
      g.writeNullField("decoder");
      g.writeObjectFieldStart("model");
      g.writeStringField("type", "WordLevel");
      g.writeObjectFieldStart("vocab");
      for (int id = 0; id < vocab.size(); id++) {
        g.writeNumberField(vocab.get(id), id);
      }
      g.writeEndObject();
      g.writeStringField("unk_token", SpecialTokens.UNK_TOKEN);
      g.writeEndObject();
      g.writeEndObject();
    }
    return vocab.size();
  }
}
