package io.llavascale.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  @Test
  void roundTripsF32AndI64WithMetadata() throws IOException {
    Path file = dir.resolve("t.safetensors");
    float[] weights = {1.5f, -2.25f, 3e-8f, Float.MAX_VALUE, 0f, -0f};
    long[] ids = {Long.MIN_VALUE, -1, 0, 42};
    Safetensors.write(file, Map.of("step_count", "7"), List.of(
        Safetensors.Entry.f32("layer.weight", new long[] {2, 3}, () -> weights),
        Safetensors.Entry.i64("ids", new long[] {4}, () -> ids),
        Safetensors.Entry.f32("scalar", new long[] {}, () -> new float[] {9f})));

    byte[] bytes = Files.readAllBytes(file);
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLength % 8, "header padded to 8 bytes");
    assertEquals(8 + headerLength + 6 * 4 + 4 * 8 + 4, bytes.length);

    try (Safetensors.Reader reader = Safetensors.open(file)) {
      assertEquals("7", reader.metadata().get("step_count"));
      assertArrayEquals(weights, reader.readFloats("layer.weight"));
      assertArrayEquals(new long[] {2, 3}, reader.info("layer.weight").shape());
      assertArrayEquals(ids, reader.readLongs("ids"));
      assertArrayEquals(new float[] {9f}, reader.readFloats("scalar"));
      assertEquals(3, reader.tensors().size());
    }
  }

  @Test
  void readsBf16AndF16AsF32() throws IOException {
    Path file = dir.resolve("half.safetensors");
    // bf16: 1.0 = 0x3F80, -2.5 = 0xC020, 0.15625 = 0x3E20; f16: 1.0 = 0x3C00, -2.0 = 0xC000,
    // 65504 = 0x7BFF (max), 2^-24 = 0x0001 (smallest subnormal), +inf = 0x7C00.
    short[] bf16 = {0x3F80, (short) 0xC020, 0x3E20};
    short[] f16 = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x7C00};
    writeRaw(file, Map.of("b", bf16, "h", f16));
    try (Safetensors.Reader reader = Safetensors.open(file)) {
      assertEquals(Safetensors.DType.BF16, reader.info("b").dtype());
      assertArrayEquals(new float[] {1f, -2.5f, 0.15625f}, reader.readFloats("b"));
      assertArrayEquals(
          new float[] {1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY}, reader.readFloats("h"));
    }
  }

  @Test
  void writesF16AndBf16RoundingToNearestEven() throws IOException {
    // Every finite half and bfloat16 survives widening and narrowing unchanged.
    for (int bits = 0; bits < 0x10000; bits++) {
      short h = (short) bits;
      if ((bits & 0x7C00) != 0x7C00 || (bits & 0x3FF) == 0) {
        assertEquals(h, Safetensors.floatToHalf(Safetensors.halfToFloat(h)), "half " + Integer.toHexString(bits));
      }
      if ((bits & 0x7F80) != 0x7F80 || (bits & 0x7F) == 0) {
        assertEquals(h, Safetensors.floatToBf16(Float.intBitsToFloat(bits << 16)), "bf16 " + Integer.toHexString(bits));
      }
    }
    // Ties go to even, overflow to infinity, underflow to (signed) zero, in between to subnormals.
    assertEquals(0x3C00, Safetensors.floatToHalf(1f + 0x1p-11f)); // halfway between 1 and 1+2^-10
    assertEquals(0x3C02, Safetensors.floatToHalf(1f + 3 * 0x1p-11f));
    assertEquals(0x7BFF, Safetensors.floatToHalf(65519f));
    assertEquals(0x7C00, Safetensors.floatToHalf(65520f));
    assertEquals((short) 0x8000, Safetensors.floatToHalf(-0x1p-26f));
    assertEquals(0x0001, Safetensors.floatToHalf(0x1.8p-25f));
    assertEquals(0x3F80, Safetensors.floatToBf16(1f + 0x1p-8f)); // tie to even
    assertEquals(0x3F81, Safetensors.floatToBf16(1f + 0x1.8p-8f));
    assertTrue(Float.isNaN(Safetensors.halfToFloat(Safetensors.floatToHalf(Float.NaN))));
    // Any finite float in half range lands on the nearer neighbouring half, ties on the even one.
    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
    for (int i = 0; i < 200_000; i++) {
      float f = Float.intBitsToFloat(random.nextInt(0x33000001, 0x477FF000)) * (random.nextBoolean() ? 1 : -1);
      int h = Safetensors.floatToHalf(f) & 0x7FFF;
      double error = Math.abs(Safetensors.halfToFloat((short) h) - Math.abs(f));
      for (int neighbour : new int[] {h - 1, h + 1}) {
        double other = Math.abs(Safetensors.halfToFloat((short) neighbour) - Math.abs(f));
        assertTrue(error < other || (error == other && (h & 1) == 0), f + " -> " + Integer.toHexString(h));
      }
    }

    Path file = dir.resolve("narrow.safetensors");
    float[] values = {1f, -2.5f, 0.1f, 1e6f};
    Safetensors.write(file, Map.of(), List.of(
        Safetensors.Entry.floats("h", Safetensors.DType.F16, new long[] {4}, () -> values),
        Safetensors.Entry.floats("b", Safetensors.DType.BF16, new long[] {2, 2}, () -> values)));
    try (Safetensors.Reader reader = Safetensors.open(file)) {
      assertArrayEquals(new float[] {1f, -2.5f, 0.099975586f, Float.POSITIVE_INFINITY}, reader.readFloats("h"));
      assertArrayEquals(new float[] {1f, -2.5f, 0x1.9ap-4f, 999424f}, reader.readFloats("b"));
      assertEquals(8, reader.readRaw("b").remaining());
      assertEquals(0x3C00, reader.readRaw("h").getShort(0));
    }
  }

  @Test
  void rejectsCorruptFiles() throws IOException {
    Path file = dir.resolve("bad.safetensors");
    Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
    assertThrows(IOException.class, () -> Safetensors.open(file));

    Path truncated = dir.resolve("truncated.safetensors");
    Safetensors.write(truncated, Map.of(),
        List.of(Safetensors.Entry.f32("w", new long[] {4}, () -> new float[4])));
    byte[] bytes = Files.readAllBytes(truncated);
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 2));
    assertThrows(IOException.class, () -> Safetensors.open(truncated));
  }

  /** Writes 16-bit tensors the way HF does, to test the read path for dtypes we never write. */
  private static void writeRaw(Path file, Map<String, short[]> tensors) throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    long offset = 0;
    for (Map.Entry<String, short[]> e : tensors.entrySet()) {
      String dtype = e.getKey().equals("b") ? "BF16" : "F16";
      long end = offset + 2L * e.getValue().length;
      header.put(e.getKey(), Map.of("dtype", dtype, "shape", List.of(e.getValue().length),
          "data_offsets", List.of(offset, end)));
      offset = end;
    }
    byte[] json = new ObjectMapper().writeValueAsBytes(header);
    ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putLong(json.length).put(json);
    tensors.values().forEach(values -> {
      for (short v : values) {
        buffer.putShort(v);
      }
    });
    Files.write(file, buffer.array());
  }
}
