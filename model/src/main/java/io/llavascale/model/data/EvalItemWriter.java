package io.llavascale.model.data;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Base64;

/**
 * Writes eval items as JSON lines, one object per line:
 * {@code {"question_id", "category", "image", "text", "answer", "options": [text...] (absent when
 * none), "context" (absent when ""), "prompt_ids": [int...], "image_size": S, "pixels": base64 of
 * planar RGB CHW bytes (absent when text-only)}}.
 * Streams; the caller owns the output stream's lifetime (close() flushes but does not close it).
 */
public final class EvalItemWriter implements AutoCloseable {
  private final JsonGenerator g;
  private long count;

  public EvalItemWriter(OutputStream out) throws IOException {
    g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    g.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
  }

  public void write(EvalItem item) throws IOException {
    g.writeStartObject();
    g.writeStringField("question_id", item.questionId());
    g.writeStringField("category", item.category());
    g.writeStringField("image", item.image());
    g.writeStringField("text", item.question());
    g.writeStringField("answer", item.answer());
    if (!item.options().isEmpty()) {
      g.writeArrayFieldStart("options");
      for (String option : item.options()) {
        g.writeString(option);
      }
      g.writeEndArray();
    }
    if (!item.context().isEmpty()) {
      g.writeStringField("context", item.context());
    }
    g.writeArrayFieldStart("prompt_ids");
    for (int id : item.promptIds()) {
      g.writeNumber(id);
    }
    g.writeEndArray();
    g.writeNumberField("image_size", item.imageSize());
    if (item.pixels() != null) {
      g.writeStringField("pixels", Base64.getEncoder().encodeToString(item.pixels()));
    }
    g.writeEndObject();
    count++;
  }

  public long count() {
    return count;
  }

  @Override
  public void close() throws IOException {
    g.writeRaw('\n');
    g.close();
  }
}
