package io.llavascale.activities.dataprep.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset.BadKind;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset.Options;
import io.llavascale.model.data.ImagePreprocessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticDatasetTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void deterministicAndWellFormed() throws Exception {
    Options o = Options.of(42, 12, 10, 6, 4);
    SyntheticDataset.Summary a = SyntheticDataset.write(dir.resolve("a"), o);
    SyntheticDataset.write(dir.resolve("b"), o);
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir.resolve("a"))) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    // images + 3 json + questions.jsonl, and the benchmark sets: 3 jsonl, 2 mmbench + 1 llava-bench images
    assertEquals(a.images() + 4 + 3 + 3, files.size());
    for (Path f : files) {
      Path other = dir.resolve("b").resolve(dir.resolve("a").relativize(f));
      assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(other), f.toString());
    }
    SyntheticDataset.Summary c = SyntheticDataset.write(dir.resolve("c"), Options.of(43, 12, 10, 6, 4));
    assertFalse(Files.readString(dir.resolve("c/stage2.json"))
        .equals(Files.readString(dir.resolve("a/stage2.json"))));

    Path root = dir.resolve("a");
    JsonNode s1 = JSON.readTree(root.resolve("stage1.json").toFile());
    assertEquals(12, s1.size());
    boolean png = false;
    boolean jpg = false;
    for (JsonNode r : s1) {
      assertEquals(2, r.get("conversations").size());
      assertEquals("human", r.at("/conversations/0/from").asText());
      assertTrue(r.at("/conversations/0/value").asText().contains("<image>"));
      assertTrue(r.at("/conversations/1/value").asText().matches("a \\w+ \\w+ at the .*"));
      String image = r.get("image").asText();
      png |= image.endsWith(".png");
      jpg |= image.endsWith(".jpg");
      byte[] px = ImagePreprocessor.preprocess(
          Files.readAllBytes(root.resolve("images").resolve(image)), 56);
      assertEquals(3 * 56 * 56, px.length);
    }
    assertTrue(png && jpg);
    JsonNode s2 = JSON.readTree(root.resolve("stage2.json").toFile());
    assertEquals(10, s2.size());
    for (JsonNode r : s2) {
      JsonNode conv = r.get("conversations");
      assertTrue(conv.size() >= 4 && conv.size() % 2 == 0);
      for (int i = 1; i < conv.size(); i += 2) {
        assertTrue(conv.get(i).get("value").asText().split(" ").length <= 2);
      }
    }
    JsonNode sg = JSON.readTree(root.resolve("sharegpt.json").toFile());
    assertEquals(6, sg.size());
    for (JsonNode r : sg) {
      assertFalse(r.has("image"));
      assertFalse(r.toString().contains("<image>"));
    }
    List<String> lines = Files.readAllLines(root.resolve("eval/questions.jsonl"));
    Set<String> cats = new HashSet<>();
    Set<String> train = new HashSet<>();
    s1.forEach(r -> train.add(r.get("image").asText()));
    s2.forEach(r -> train.add(r.get("image").asText()));
    for (String l : lines) {
      if (l.isBlank()) {
        continue;
      }
      JsonNode q = JSON.readTree(l);
      cats.add(q.get("category").asText());
      assertTrue(q.has("question_id") && q.has("text") && q.has("answer"));
      assertFalse(train.contains(q.get("image").asText()), "held-out image");
      assertTrue(Files.exists(root.resolve("images").resolve(q.get("image").asText())));
    }
    assertEquals(Set.of("color", "shape", "position", "count"), cats);
    assertEquals(c.evalQuestions() > 0, true);
  }

  @Test
  void badRecordsAreInjected() throws Exception {
    Options o = Options.of(1, 5, 5, 0, 1).withBad(
        List.of(BadKind.MISSING_IMAGE, BadKind.PATH_ESCAPE),
        List.of(BadKind.TRUNCATED_JPEG, BadKind.NO_CONVERSATIONS));
    SyntheticDataset.Summary s = SyntheticDataset.write(dir, o);
    assertEquals(7, s.stage1Records());
    JsonNode s1 = JSON.readTree(dir.resolve("stage1.json").toFile());
    assertEquals(7, s1.size());
    assertTrue(s1.toString().contains("\"../x.png\""));
    assertTrue(Files.exists(dir.resolve("x.png")));
    JsonNode s2 = JSON.readTree(dir.resolve("stage2.json").toFile());
    long noConv = 0;
    for (JsonNode r : s2) {
      if (!r.has("conversations")) {
        noConv++;
      }
    }
    assertEquals(1, noConv);
  }
}
