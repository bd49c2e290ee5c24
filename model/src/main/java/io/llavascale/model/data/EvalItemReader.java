package io.llavascale.model.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** Reads the eval item JSON lines {@link EvalItemWriter} writes, one item at a time. */
public final class EvalItemReader implements Iterator<EvalItem>, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final BufferedReader in;
  private String next;

  public EvalItemReader(InputStream in) {
    this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    advance();
  }

  public static List<EvalItem> readAll(Path file) {
    try (EvalItemReader r = new EvalItemReader(Files.newInputStream(file))) {
      List<EvalItem> items = new ArrayList<>();
      r.forEachRemaining(items::add);
      return items;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void advance() {
    try {
      do {
        next = in.readLine();
      } while (next != null && next.isBlank());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean hasNext() {
    return next != null;
  }

  @Override
  public EvalItem next() {
    if (next == null) {
      throw new NoSuchElementException();
    }
    try {
      JsonNode n = JSON.readTree(next);
      advance();
      JsonNode p = n.path("prompt_ids");
      int[] ids = new int[p.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = p.get(i).asInt();
      }
      int side = n.path("image_size").asInt(0);
      byte[] px = n.hasNonNull("pixels") ? Base64.getDecoder().decode(n.get("pixels").asText()) : null;
      List<String> options = new ArrayList<>();
      n.path("options").forEach(o -> options.add(o.asText()));
      return new EvalItem(n.path("question_id").asText(), n.path("category").asText(),
          n.path("image").asText(), n.path("text").asText(), n.path("answer").asText(), options,
          n.path("context").asText(""), ids, px, side);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
