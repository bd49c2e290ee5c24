package io.llavascale.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.model.train.TrainingSample;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardAndEvalFormatTest {
  @TempDir Path dir;

  static ShardRecord sample(int i, Random rnd) {
    int n = 3 + rnd.nextInt(20);
    int[] ids = new int[n];
    int[] labels = new int[n];
    for (int k = 0; k < n; k++) {
      ids[k] = rnd.nextInt(500);
      labels[k] = rnd.nextBoolean() ? ids[k] : -100;
    }
    if (i % 3 == 0) {
      return new ShardRecord("text-" + i, ids, labels, null, 0);
    }
    byte[] px = new byte[3 * 8 * 8];
    rnd.nextBytes(px);
    return new ShardRecord("img-" + i + "-é", ids, labels, px, 8);
  }

  @Test
  void shardsRollOverAndReadBackInOrder() throws Exception {
    List<ShardRecord> written = new ArrayList<>();
    List<Path> closed = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    Random rnd = new Random(7);
    try (ShardWriter w = new ShardWriter(dir, "stage1", 2048, 1000,
        (name, file, n) -> {
          closed.add(file);
          counts.add(n);
          assertEquals(file.getFileName().toString(), name);
        })) {
      for (int i = 0; i < 50; i++) {
        ShardRecord r = sample(i, rnd);
        written.add(r);
        w.write(r);
      }
      assertEquals(50, w.count());
    }
    assertTrue(closed.size() > 2, "rolled over: " + closed.size());
    assertEquals("stage1-00000.shard", closed.get(0).getFileName().toString());
    assertEquals(50, counts.stream().mapToInt(Integer::intValue).sum());
    for (Path p : closed) {
      assertTrue(Files.size(p) < 2048 + 1200);
    }
    try (ShardReader r = ShardReader.open(closed)) {
      assertEquals(50, r.size());
      for (int i = 49; i >= 0; i--) {
        ShardRecord got = r.record(i);
        ShardRecord want = written.get(i);
        assertEquals(want.id(), got.id());
        assertArrayEquals(want.inputIds(), got.inputIds());
        assertArrayEquals(want.labels(), got.labels());
        assertArrayEquals(want.pixels(), got.pixels());
      }
      TrainingSample t = r.get(0);
      assertFalse(t.hasImage());
      TrainingSample img = r.get(1);
      assertEquals(3 * 64, img.image().length);
      assertEquals((written.get(1).pixels()[5] & 0xff) / 255f, img.image()[5], 1e-6);
    }
  }

  @Test
  void evalItemsRoundTrip() throws Exception {
    Path f = dir.resolve("eval.jsonl");
    byte[] px = new byte[3 * 4 * 4];
    new Random(1).nextBytes(px);
    try (OutputStream out = Files.newOutputStream(f); EvalItemWriter w = new EvalItemWriter(out)) {
      w.write(new EvalItem("7", "color", "eval/e.png", "What color?", "red", List.of(), "",
          new int[] {2, 5, 4, 9, 6}, px, 4));
      w.write(new EvalItem("8", "math", "", "2+2?", "B", List.of("3", "4", "5"), "",
          new int[] {2, 5, 9, 6}, null, 0));
      w.write(new EvalItem("9", "detail", "eval/e.png", "Describe it.", "a red circle", List.of(),
          "a red circle at the top", new int[] {2, 4, 5}, px, 4));
    }
    List<EvalItem> items = EvalItemReader.readAll(f);
    assertEquals(3, items.size());
    assertEquals("red", items.get(0).answer());
    assertEquals(List.of(), items.get(0).options());
    assertEquals("", items.get(0).context());
    assertEquals(List.of("3", "4", "5"), items.get(1).options());
    assertEquals("a red circle at the top", items.get(2).context());
    assertArrayEquals(px, items.get(0).pixels());
    assertArrayEquals(new int[] {2, 5, 4, 9, 6}, items.get(0).promptIds());
    assertNull(items.get(1).pixels());
    assertEquals(3, Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count());
  }
}
