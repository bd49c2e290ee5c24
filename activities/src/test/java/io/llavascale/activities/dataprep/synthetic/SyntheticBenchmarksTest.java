package io.llavascale.activities.dataprep.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.model.data.ImagePreprocessor;
import io.llavascale.model.metrics.MultipleChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticBenchmarksTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void writesTheThreeSetsDeterministically() throws Exception {
    assertEquals(List.of(12, 12, 12), SyntheticBenchmarks.write(dir.resolve("a"), 3, 24));
    SyntheticBenchmarks.write(dir.resolve("b"), 3, 24);
    for (String set : List.of(SyntheticBenchmarks.MMBENCH, SyntheticBenchmarks.LLAVA_BENCH, SyntheticBenchmarks.MMLU)) {
      assertEquals(Files.readString(dir.resolve("a").resolve(set)), Files.readString(dir.resolve("b").resolve(set)), set);
    }
  }

  @Test
  void mmbenchQuestionsHaveLetteredAnswersAmongTheirOptions() throws Exception {
    SyntheticBenchmarks.write(dir, 5, 40);
    Set<String> categories = new HashSet<>();
    for (JsonNode q : lines(SyntheticBenchmarks.MMBENCH)) {
      List<String> options = new ArrayList<>();
      q.get("options").forEach(o -> options.add(o.asText()));
      assertTrue(options.size() >= 3 && options.size() <= 4, q.toString());
      assertEquals(options.size(), new HashSet<>(options).size(), "distinct options: " + q);
      int answer = MultipleChoice.index(q.get("answer").asText());
      assertTrue(answer >= 0 && answer < options.size(), q.toString());
      categories.add(q.get("category").asText());
      byte[] px = ImagePreprocessor.preprocess(Files.readAllBytes(dir.resolve("images").resolve(q.get("image").asText())), 42);
      assertEquals(3 * 42 * 42, px.length);
    }
    assertEquals(Set.of("color", "shape", "position", "count"), categories);
  }

  @Test
  void llavaBenchAsksThreeKindsPerImageWithReferenceAndContext() throws Exception {
    SyntheticBenchmarks.write(dir, 5, 12);
    List<JsonNode> questions = lines(SyntheticBenchmarks.LLAVA_BENCH);
    assertEquals(6, questions.size());
    for (int i = 0; i < questions.size(); i++) {
      JsonNode q = questions.get(i);
      assertEquals(List.of("conv", "detail", "complex").get(i % 3), q.get("category").asText());
      assertEquals(questions.get(i - i % 3).get("image").asText(), q.get("image").asText());
      assertFalse(q.get("answer").asText().isBlank());
      assertTrue(q.get("context").asText().matches("a \\w+ \\w+ at the .*"), q.toString());
    }
    assertEquals(questions.get(1).get("context").asText(), questions.get(1).get("answer").asText(), "detail = the scene");
  }

  @Test
  void mmluItemsAreTextOnlyAndRight() throws Exception {
    SyntheticBenchmarks.write(dir, 5, 60);
    Pattern plus = Pattern.compile("What is (\\d+) plus (\\d+)\\?");
    int checked = 0;
    for (JsonNode q : lines(SyntheticBenchmarks.MMLU)) {
      assertFalse(q.has("image"));
      String right = q.get("options").get(MultipleChoice.index(q.get("answer").asText())).asText();
      Matcher m = plus.matcher(q.get("text").asText());
      if (m.matches()) {
        assertEquals(String.valueOf(Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2))), right);
        assertEquals("math", q.get("category").asText());
        checked++;
      }
    }
    assertTrue(checked > 0);
  }

  private List<JsonNode> lines(String set) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve(set))) {
      if (!line.isBlank()) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }
}
