package io.llavascale.model.merge;

import io.llavascale.model.checkpoint.Safetensors;
import io.llavascale.model.checkpoint.ShardedSafetensors;
import java.io.IOException;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Verifies a merge layer by layer: for every adapted weight, a seeded random probe batch x goes
 * through the unmerged layer, y = x T(W)^T + scale (x A^T) B^T, and the merged one, y' = x W'^T,
 * both read back from disk and summed in double precision. One layer at a time, like the merge.
 *
 * <p>The tolerance is the rounding the merge cannot avoid, per output element: storing W' in the
 * output dtype (relative eps, plus F16's subnormal step) and the F32 arithmetic of the update (the
 * rank-r sum of B @ A), so F32 outputs are held to ~1e-7 relative and F16 to ~1e-3. A wrong scale,
 * a transposed or missing update, or a weight written to the wrong key exceeds it unless the update
 * is itself below the output dtype's resolution.
 */
public final class LayerProbe implements MergeVerifier {
  public static final String METHOD = "layer-probe";
  private static final double EPS_F32 = 0x1p-23;

  private final long seed;
  private final int rows;

  /**
   * @param seed seeds every layer's probe batch (with the layer's name)
   * @param rows probe inputs per layer
   */
  public LayerProbe(long seed, int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("probe rows must be >= 1, got " + rows);
    }
    this.seed = seed;
    this.rows = rows;
  }

  @Override
  public Verification verify(Inputs inputs) throws IOException {
    Worst worst = new Worst();
    int checked = 0;
    try (ShardedSafetensors.Reader base = ShardedSafetensors.open(inputs.baseFolder());
        ShardedSafetensors.Reader merged = ShardedSafetensors.open(inputs.mergedFolder())) {
      for (LoraAdapter.Pair p : inputs.adapter().pairs()) {
        String name = p.baseKey();
        if (!merged.contains(name)) {
          throw new MergeVerificationException("merged weights lack adapted tensor " + name);
        }
        float[] w = base.readFloats(name);
        if (inputs.transform().transforms(name, base.info(name).shape())) {
          w = inputs.transform().apply(name, base.info(name).shape(), w);
        }
        probe(p, w, merged.readFloats(name), merged.info(name).dtype(), inputs.adapter(), worst);
        checked++;
      }
    }
    return new Verification(METHOD, checked, rows, worst.maxAbsDiff, worst.ratio, worst.where);
  }

  private void probe(LoraAdapter.Pair p, float[] w, float[] merged, Safetensors.DType dtype, LoraAdapter adapter,
      Worst worst) throws IOException {
    int in = (int) p.in();
    int out = (int) p.out();
    int r = p.rank();
    float[] a = adapter.readA(p);
    float[] b = adapter.readB(p);
    double s = adapter.scale();
    double eps = switch (dtype) {
      case F16 -> 0x1p-10;
      case BF16 -> 0x1p-7;
      default -> EPS_F32;
    };
    double subnormalStep = dtype == Safetensors.DType.F16 ? 0x1p-24 : 0;
    Random random = new Random(seed * 31 + p.baseKey().hashCode());
    double[][] x = new double[rows][in];
    double[] xAbs = new double[rows];
    double[][] u = new double[rows][r]; // x A^T
    double[][] v = new double[rows][r]; // |x| |A|^T: scale of the update's rounding
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < in; k++) {
        x[i][k] = random.nextGaussian();
        xAbs[i] += Math.abs(x[i][k]);
      }
      for (int m = 0; m < r; m++) {
        for (int k = 0; k < in; k++) {
          u[i][m] += x[i][k] * a[m * in + k];
          v[i][m] += Math.abs(x[i][k] * a[m * in + k]);
        }
      }
    }
    // Outputs are independent: all cores compute them, then one pass finds the worst.
    double[] diff = new double[rows * out];
    double[] tolerance = new double[rows * out];
    IntStream.range(0, out).parallel().forEach(j -> {
      int row = j * in;
      for (int i = 0; i < rows; i++) {
        double unmerged = 0;
        double mergedOut = 0;
        double magnitude = 0;
        for (int k = 0; k < in; k++) {
          unmerged += x[i][k] * w[row + k];
          mergedOut += x[i][k] * merged[row + k];
          magnitude += Math.abs(x[i][k]) * (Math.abs(w[row + k]) + Math.abs(merged[row + k]));
        }
        double update = 0;
        double updateScale = 0;
        for (int m = 0; m < r; m++) {
          update += u[i][m] * b[j * r + m];
          updateScale += v[i][m] * Math.abs(b[j * r + m]);
        }
        diff[i * out + j] = Math.abs(unmerged + s * update - mergedOut);
        tolerance[i * out + j] = eps * magnitude + subnormalStep * xAbs[i] + (r + 2) * EPS_F32 * Math.abs(s) * updateScale;
      }
    });
    for (int e = 0; e < diff.length; e++) {
      worst.see(p.baseKey(), e % out, diff[e], tolerance[e]);
    }
  }

  private static final class Worst {
    double maxAbsDiff;
    double ratio;
    boolean seen;
    String where = "no adapted layers";

    void see(String name, int output, double diff, double tolerance) {
      if (Double.isNaN(diff)) {
        diff = Double.POSITIVE_INFINITY;
      }
      maxAbsDiff = Math.max(maxAbsDiff, diff);
      double r = diff == 0 ? 0 : tolerance > 0 ? diff / tolerance : Double.POSITIVE_INFINITY;
      if (!seen || r > ratio) {
        seen = true;
        ratio = r;
        where = String.format(Locale.ROOT, "%s output %d differs by %.3g (tolerance %.3g)", name, output, diff,
            tolerance);
      }
    }
  }
}
