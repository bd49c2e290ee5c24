package io.llavascale.model.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.llavascale.model.llava.HeldWeight;
import java.util.Arrays;

/**
 * A tensor in QLoRA's 4-bit NormalFloat (NF4) with double quantisation, laid out as bitsandbytes
 * lays it out for {@code quant_type="nf4", blocksize=64, compress_statistics=True}:
 * <ul>
 *   <li>values, row-major, in blocks of 64; each value divided by its block's absmax and rounded to
 *       the nearest of the 16 NF4 levels; two 4-bit codes per byte, the first in the high nibble;
 *   <li>the block absmaxes quantised again: their mean is subtracted, and each group of 256 is
 *       divided by the group's largest deviation and coded in 8 bits with bitsandbytes' signed
 *       dynamic map ({@link #ABSMAX_MAP}), which keeps small deviations relatively precise.
 * </ul>
 * Held bytes: n/2 for the codes, n/64 for the absmax codes, 4 per 256 blocks for their scales and 4
 * for the offset: 4 + 8/64 + 32/16384 = about 4.127 bits per value for large tensors.
 *
 * <p>Error bound, per value x in a block with true absmax A and dequantised absmax A':
 * |x - x'| <= A * {@link #maxLevelGap()} / 2 + |A - A'| (the nearest level is at most half the
 * widest gap away, and the level, at most 1 in size, multiplies A' instead of A), with
 * |A - A'| <= (the group's largest |absmax - mean|) * {@link #maxAbsmaxMapGap()} / 2.
 */
public final class Nf4Tensor implements HeldWeight {
  /** The NF4 levels of QLoRA (bitsandbytes' table): N(0, 1) quantiles scaled to [-1, 1], exact 0. */
  static final float[] LEVELS = {
      -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
      -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
      0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
      0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f};
  public static final int BLOCK = 64;
  /** Absmaxes per second-level (double quantisation) group. */
  public static final int SCALE_BLOCK = 256;
  /**
   * bitsandbytes' {@code create_dynamic_map(signed=True)}: for each decade 10^(i-6), i = 0..6, the
   * midpoints of 2^i equal steps over [0.1, 1], both signs, plus 0 and 1; 256 values, sorted.
   */
  static final float[] ABSMAX_MAP = dynamicMap();

  private final long[] shape;
  private final int count;
  private final byte[] codes;
  private final byte[] absmaxCodes;
  private final float[] absmaxScales;
  private final float absmaxOffset;

  private Nf4Tensor(
      long[] shape, int count, byte[] codes, byte[] absmaxCodes, float[] absmaxScales,
      float absmaxOffset) {
    this.shape = shape.clone();
    this.count = count;
    this.codes = codes;
    this.absmaxCodes = absmaxCodes;
    this.absmaxScales = absmaxScales;
    this.absmaxOffset = absmaxOffset;
  }

  /** Quantises row-major {@code values} of the given shape. */
  public static Nf4Tensor quantize(float[] values, long[] shape) {
    long elements = 1;
    for (long dim : shape) {
      elements *= dim;
    }
    if (elements != values.length) {
      throw new IllegalArgumentException(
          values.length + " values do not fill shape " + Arrays.toString(shape));
    }
    int blocks = (values.length + BLOCK - 1) / BLOCK;
    float[] absmax = new float[blocks];
    for (int i = 0; i < values.length; i++) {
      absmax[i / BLOCK] = Math.max(absmax[i / BLOCK], Math.abs(values[i]));
    }
    // Codes are chosen against the exact absmax, as bitsandbytes does, before it is quantised.
    byte[] codes = new byte[(values.length + 1) / 2];
    for (int i = 0; i < values.length; i++) {
      float a = absmax[i / BLOCK];
      int code = nearest(LEVELS, a == 0 ? 0 : values[i] / a);
      codes[i / 2] |= (byte) (i % 2 == 0 ? code << 4 : code);
    }

    double sum = 0;
    for (float a : absmax) {
      sum += a;
    }
    float offset = (float) (sum / blocks);
    float[] scales = new float[(blocks + SCALE_BLOCK - 1) / SCALE_BLOCK];
    for (int j = 0; j < blocks; j++) {
      scales[j / SCALE_BLOCK] = Math.max(scales[j / SCALE_BLOCK], Math.abs(absmax[j] - offset));
    }
    byte[] absmaxCodes = new byte[blocks];
    for (int j = 0; j < blocks; j++) {
      float scale = scales[j / SCALE_BLOCK];
      absmaxCodes[j] = (byte) nearest(ABSMAX_MAP, scale == 0 ? 0 : (absmax[j] - offset) / scale);
    }
    return new Nf4Tensor(shape, values.length, codes, absmaxCodes, scales, offset);
  }

  /** The values back, row-major: each code's level times its block's dequantised absmax. */
  public float[] dequantize() {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      int packed = codes[i / 2];
      int code = i % 2 == 0 ? (packed >> 4) & 0xF : packed & 0xF;
      values[i] = LEVELS[code] * absmax(i / BLOCK);
    }
    return values;
  }

  /** Block {@code block}'s absmax as stored (after double quantisation). */
  public float absmax(int block) {
    return absmaxOffset + ABSMAX_MAP[absmaxCodes[block] & 0xFF] * absmaxScales[block / SCALE_BLOCK];
  }

  /** The widest gap between neighbouring NF4 levels (between -1 and -0.696). */
  public static float maxLevelGap() {
    return widestGap(LEVELS);
  }

  /** The widest gap of the absmax map, counting the step from its lowest value down to -1. */
  public static float maxAbsmaxMapGap() {
    return Math.max(widestGap(ABSMAX_MAP), 2 * (ABSMAX_MAP[0] + 1));
  }

  public long[] shape() {
    return shape.clone();
  }

  @Override
  public NDArray materialize(NDManager scope) {
    return scope.create(dequantize(), new Shape(shape));
  }

  @Override
  public long bytesHeld() {
    return codes.length + absmaxCodes.length + 4L * absmaxScales.length + 4;
  }

  @Override
  public long parameters() {
    return count;
  }

  public double bitsPerParameter() {
    return 8.0 * bytesHeld() / count;
  }

  /** Index of the value of the sorted {@code table} nearest to v (ties to the lower). */
  private static int nearest(float[] table, float v) {
    int at = Arrays.binarySearch(table, v);
    if (at >= 0) {
      return at;
    }
    int above = -at - 1;
    if (above == 0) {
      return 0;
    }
    if (above == table.length) {
      return table.length - 1;
    }
    return v - table[above - 1] <= table[above] - v ? above - 1 : above;
  }

  private static float widestGap(float[] sorted) {
    float gap = 0;
    for (int i = 1; i < sorted.length; i++) {
      gap = Math.max(gap, sorted[i] - sorted[i - 1]);
    }
    return gap;
  }

  private static float[] dynamicMap() {
    float[] map = new float[256];
    int n = 0;
    for (int i = 0; i < 7; i++) {
      int steps = 1 << i;
      double decade = Math.pow(10, i - 6);
      for (int k = 0; k < steps; k++) {
        double mean = (0.1 + 0.9 * (k + 0.5) / steps) * decade;
        map[n++] = (float) mean;
        map[n++] = (float) -mean;
      }
    }
    map[n++] = 0f;
    map[n] = 1f;
    Arrays.sort(map);
    return map;
  }
}
