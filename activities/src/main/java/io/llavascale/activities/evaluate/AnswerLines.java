package io.llavascale.activities.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.model.data.EvalItem;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** An answers jsonl in LLaVA's model_vqa answer format, with our scoring in {@code metadata}. */
final class AnswerLines implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BufferedWriter out;
  private final String modelId;

  AnswerLines(Path file, String modelId) throws IOException {
    this.out = Files.newBufferedWriter(file);
    this.modelId = modelId;
  }

  void write(EvalItem item, String text, Map<String, Object> metadata) throws IOException {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("question_id", item.questionId());
    line.put("prompt", item.question());
    line.put("text", text);
    line.put("answer_id", item.questionId() + "-" + modelId);
    line.put("model_id", modelId);
    line.put("metadata", metadata);
    out.write(JSON.writeValueAsString(line));
    out.newLine();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
