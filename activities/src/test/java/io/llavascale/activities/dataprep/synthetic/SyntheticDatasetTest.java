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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /**
   * The demo trains on Options.of(...) data; extending the generator must not change a byte of it
   * (the demo's measured quality belongs to exactly these files). A deliberate change of the
   * default data updates this hash and the demo's figures in the README together.
   */
  @Test
  void defaultDatasetBytesDoNotChange() throws Exception {
    Path root = dir.resolve("gold");
    SyntheticDataset.write(root, Options.of(7, 30, 60, 10, 12).withBad(
        List.of(BadKind.MISSING_IMAGE), List.of(BadKind.TRUNCATED_JPEG, BadKind.PATH_ESCAPE)));
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (Stream<Path> s = Files.walk(root)) {
      // The benchmark sets (SyntheticBenchmarks) came later and have their own generator.
      for (Path p : s.filter(Files::isRegularFile).filter(p -> !isBenchmarkFile(root, p)).sorted().toList()) {
        md.update(root.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
        md.update(Files.readAllBytes(p));
      }
    }
    assertEquals("68fbf74aa82fc11d35c176059f68beaa0d25e18a46f55079d2beccdb9320cc24",
        HexFormat.of().formatHex(md.digest()));
  }

  private static boolean isBenchmarkFile(Path root, Path file) {
    String relative = root.relativize(file).toString();
    return relative.equals(SyntheticBenchmarks.MMBENCH) || relative.equals(SyntheticBenchmarks.LLAVA_BENCH)
        || relative.equals(SyntheticBenchmarks.MMLU) || relative.startsWith("images/eval/mmb-")
        || relative.startsWith("images/eval/llava-bench-");
  }

  @Test
  void detailScenesAskAboutSmallObjectsThatTheFinerGridResolves() throws Exception {
    SyntheticDataset.write(dir, Options.of(3, 120, 60, 0, 40).withDetail(0.5));
    Map<String, Set<String>> answers = new HashMap<>();
    JsonNode s2 = JSON.readTree(dir.resolve("stage2.json").toFile());
    for (JsonNode r : s2) {
      JsonNode conv = r.get("conversations");
      for (int i = 0; i < conv.size(); i += 2) {
        String q = conv.get(i).get("value").asText().replace("<image>", "").strip();
        answers.computeIfAbsent(q, k -> new HashSet<>()).add(conv.get(i + 1).get("value").asText());
      }
    }
    assertEquals(Set.of("1", "2", "3", "4"), answers.get("How many small dots are there?"));
    assertEquals(Set.copyOf(SyntheticDataset.SHAPES), answers.get("What shape is the small object?"));

    Set<String> categories = new HashSet<>();
    for (String l : Files.readAllLines(dir.resolve(SyntheticDataset.EVAL))) {
      if (!l.isBlank()) {
        categories.add(JSON.readTree(l).get("category").asText());
      }
    }
    assertEquals(Set.copyOf(SyntheticDataset.CATEGORIES), categories);

    // At the tiny model's 224 (42 px) a dot covers less than a quarter of the pixel blocks the
    // vision tower pools; at its 336 (84 px) it stands out: count mask blobs against the caption.
    int dotScenes = 0;
    int[] right = new int[2];
    for (JsonNode r : JSON.readTree(dir.resolve("stage1.json").toFile())) {
      String caption = r.at("/conversations/1/value").asText();
      Matcher dots = Pattern.compile("(a|\\d) small \\w+ dots? at").matcher(caption);
      if (!dots.find()) {
        continue;
      }
      dotScenes++;
      int expected = (dots.group(1).equals("a") ? 1 : Integer.parseInt(dots.group(1)))
          + caption.split(" at the ").length - 2;
      byte[] image = Files.readAllBytes(dir.resolve("images").resolve(r.get("image").asText()));
      for (int i = 0; i < 2; i++) {
        int side = i == 0 ? 42 : 84;
        right[i] += blobs(ImagePreprocessor.preprocess(image, side), side) == expected ? 1 : 0;
      }
    }
    assertTrue(dotScenes >= 20, dotScenes + " dot scenes");
    assertTrue(right[1] >= 0.9 * dotScenes, right[1] + " of " + dotScenes + " right at 84 px");
    assertTrue(right[0] <= 0.5 * dotScenes, right[0] + " of " + dotScenes + " right at 42 px");
  }

  /**
   * Connected regions (4-neighbour) of the object mask as the tiny vision tower pools it: per-pixel
   * saturation ramped from 0.2 to 0.35 (VisionEncoder's mask), averaged over 2 x 2 pixel blocks
   * (its 7 x 7 sub-grid of a 14-pixel patch); a block is on when the mask covers a quarter of it.
   */
  static int blobs(byte[] chw, int side) {
    int plane = side * side;
    int cells = side / 2;
    boolean[] on = new boolean[cells * cells];
    for (int cy = 0; cy < cells; cy++) {
      for (int cx = 0; cx < cells; cx++) {
        double mask = 0;
        for (int y = 2 * cy; y < 2 * cy + 2; y++) {
          for (int x = 2 * cx; x < 2 * cx + 2; x++) {
            int i = y * side + x;
            int r = chw[i] & 0xff;
            int g = chw[plane + i] & 0xff;
            int b = chw[2 * plane + i] & 0xff;
            double sat = (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b))) / 255.0;
            mask += Math.max(0, Math.min(1, (sat - 0.2) / 0.15));
          }
        }
        on[cy * cells + cx] = mask / 4 > 0.25;
      }
    }
    int count = 0;
    java.util.ArrayDeque<Integer> todo = new java.util.ArrayDeque<>();
    for (int start = 0; start < on.length; start++) {
      if (!on[start]) {
        continue;
      }
      count++;
      on[start] = false;
      todo.push(start);
      while (!todo.isEmpty()) {
        int p = todo.pop();
        int x = p % cells;
        int y = p / cells;
        int[][] next = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}};
        for (int[] n : next) {
          if (n[0] >= 0 && n[0] < cells && n[1] >= 0 && n[1] < cells && on[n[1] * cells + n[0]]) {
            on[n[1] * cells + n[0]] = false;
            todo.push(n[1] * cells + n[0]);
          }
        }
      }
    }
    return count;
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
