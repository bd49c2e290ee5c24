package io.llavascale.model.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Nf4TensorTest {

  @Test
  void roundTripStaysWithinHalfTheWidestLevelGapPlusTheAbsmaxError() {
    // A weight-like matrix with a few outliers, as real LM weights have: [512, 128] = 1024 blocks,
    // so the absmaxes fill 4 double-quantisation groups.
    Random random = new Random(3);
    float[] values = new float[512 * 128];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * 0.02 * (random.nextInt(200) == 0 ? 8 : 1));
    }
    Nf4Tensor nf4 = Nf4Tensor.quantize(values, new long[] {512, 128});
    float[] back = nf4.dequantize();

    float gap = Nf4Tensor.maxLevelGap();
    assertEquals(1f - 0.6961928f, gap, 1e-6f);
    int blocks = values.length / Nf4Tensor.BLOCK;
    float[] absmax = new float[blocks];
    for (int i = 0; i < values.length; i++) {
      absmax[i / Nf4Tensor.BLOCK] = Math.max(absmax[i / Nf4Tensor.BLOCK], Math.abs(values[i]));
    }
    float mean = 0;
    for (float a : absmax) {
      mean += a / blocks;
    }
    float[] groupScale = new float[blocks / Nf4Tensor.SCALE_BLOCK];
    for (int block = 0; block < blocks; block++) {
      int group = block / Nf4Tensor.SCALE_BLOCK;
      groupScale[group] = Math.max(groupScale[group], Math.abs(absmax[block] - mean));
    }
    assertEquals(4, groupScale.length);
    assertEquals(256, Nf4Tensor.ABSMAX_MAP.length);
    double worstRatio = 0;
    for (int block = 0; block < blocks; block++) {
      float absmaxError = Math.abs(absmax[block] - nf4.absmax(block));
      float absmaxBound = groupScale[block / Nf4Tensor.SCALE_BLOCK] * Nf4Tensor.maxAbsmaxMapGap() / 2 + 1e-7f;
      assertTrue(absmaxError <= absmaxBound, "block " + block + ": absmax " + absmax[block] + " stored as "
          + nf4.absmax(block) + ", bound " + absmaxBound);
      float bound = absmax[block] * gap / 2 + absmaxError + 1e-7f;
      for (int i = block * Nf4Tensor.BLOCK; i < (block + 1) * Nf4Tensor.BLOCK; i++) {
        float error = Math.abs(values[i] - back[i]);
        assertTrue(error <= bound, "value " + i + ": error " + error + " > bound " + bound);
        worstRatio = Math.max(worstRatio, error / bound);
      }
    }
    assertTrue(worstRatio > 0.5, "the bound is tight enough to mean something: " + worstRatio);
  }

  @Test
  void holdsAboutFourPointOneBitsPerValue() {
    Nf4Tensor nf4 = Nf4Tensor.quantize(new float[512 * 128], new long[] {512, 128});
    // 32768 code bytes + 1024 absmax codes + 4 group scales x 4 bytes + the 4-byte offset.
    assertEquals(512 * 128 / 2 + 1024 + 16 + 4, nf4.bytesHeld());
    assertEquals(4.127, nf4.bitsPerParameter(), 0.001);
    Nf4Tensor small = Nf4Tensor.quantize(new float[128 * 128], new long[] {128, 128});
    assertTrue(small.bitsPerParameter() > 4.1 && small.bitsPerParameter() < 4.5, small.bitsPerParameter() + " bits");
  }

  @Test
  void codesTheNf4LevelsAndKeepsZeroExact() {
    // One block: its absmax is the mean, so the second level stores it exactly.
    float[] values = new float[Nf4Tensor.BLOCK];
    values[0] = 2f;
    values[1] = -2f;
    values[2] = 1f;      // 0.5 of absmax: nearest level 0.4407 (the midpoint to 0.5626 is 0.5017)
    values[3] = 1.06f;   // 0.53: nearest 0.5626
    values[4] = 0.001f;  // nearest level 0
    float[] back = Nf4Tensor.quantize(values, new long[] {values.length}).dequantize();
    assertEquals(2f, back[0]);
    assertEquals(-2f, back[1]);
    assertEquals(2 * 0.44070982933044434f, back[2], 1e-6f);
    assertEquals(2 * 0.5626170039176941f, back[3], 1e-6f);
    assertEquals(0f, back[4]);
    assertEquals(0f, back[63]);
  }

  @Test
  void anAllZeroTensorAndAnOddLengthRoundTrip() {
    assertArrayEquals(new float[100], Nf4Tensor.quantize(new float[100], new long[] {10, 10}).dequantize());
    float[] odd = {0.5f, -0.25f, 0.125f};
    float[] back = Nf4Tensor.quantize(odd, new long[] {3}).dequantize();
    assertEquals(3, back.length);
    assertEquals(0.5f, back[0]);
    assertEquals(-0.25f, back[1], 0.5f * Nf4Tensor.maxLevelGap() / 2);
  }
}
