package io.llavascale.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedSafetensorsTest {
  @TempDir Path dir;

  private static List<Safetensors.Entry> entries(int count, int floats) {
    List<Safetensors.Entry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      float value = i;
      entries.add(Safetensors.Entry.f32("t" + i, new long[] {floats}, () -> {
        float[] v = new float[floats];
        java.util.Arrays.fill(v, value);
        return v;
      }));
    }
    return entries;
  }

  @Test
  void shardsLikeSavePretrainedAndReadsBackInOrder() throws IOException {
    // 5 tensors of 40 bytes, at most 100 bytes a shard: [t0 t1] [t2 t3] [t4].
    List<String> written = new ArrayList<>();
    List<String> files = ShardedSafetensors.write(dir, Map.of("format", "pt"), entries(5, 10), 100,
        e -> written.add(e.name()));
    assertEquals(List.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
        "model-00003-of-00003.safetensors", ShardedSafetensors.INDEX), files);
    assertEquals(List.of("t0", "t1", "t2", "t3", "t4"), written);
    JsonNode index = new ObjectMapper().readTree(dir.resolve(ShardedSafetensors.INDEX).toFile());
    assertEquals(200, index.get("metadata").get("total_size").asLong());
    assertEquals("model-00002-of-00003.safetensors", index.get("weight_map").get("t3").asText());
    files.forEach(f -> assertTrue(ShardedSafetensors.isWeightFile(f), f));
    assertFalse(ShardedSafetensors.isWeightFile("config.json"));

    try (ShardedSafetensors.Reader reader = ShardedSafetensors.open(dir)) {
      assertEquals(List.of("t0", "t1", "t2", "t3", "t4"), reader.names());
      assertArrayEquals(new float[] {3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, reader.readFloats("t3"));
      assertEquals("pt", reader.metadata().get("format"));
    }
  }

  @Test
  void oneShardIsModelSafetensorsAndAnOversizedTensorGetsItsOwnShard() throws IOException {
    Path single = dir.resolve("single");
    assertEquals(List.of(ShardedSafetensors.SINGLE),
        ShardedSafetensors.write(single, Map.of(), entries(3, 10), 1000, e -> {}));
    assertFalse(Files.exists(single.resolve(ShardedSafetensors.INDEX)));
    try (ShardedSafetensors.Reader reader = ShardedSafetensors.open(single)) {
      assertEquals(3, reader.names().size());
    }
    Path big = dir.resolve("big");
    assertEquals(4, ShardedSafetensors.write(big, Map.of(), entries(3, 10), 8, e -> {}).size());
  }

  @Test
  void namesWhatIsWrongWithAnIndex() throws IOException {
    ShardedSafetensors.write(dir, Map.of(), entries(4, 10), 100, e -> {});
    Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
    IOException missing = assertThrows(IOException.class, () -> ShardedSafetensors.open(dir));
    assertTrue(missing.getMessage().contains("model-00002-of-00002.safetensors, which is missing"), missing.getMessage());

    Path empty = Files.createDirectories(dir.resolve("empty"));
    IOException none = assertThrows(IOException.class, () -> ShardedSafetensors.open(empty));
    assertTrue(none.getMessage().contains("has neither model.safetensors nor model.safetensors.index.json"));
  }
}
