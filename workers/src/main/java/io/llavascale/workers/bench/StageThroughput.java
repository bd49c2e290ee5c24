package io.llavascale.workers.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Training throughput of one stage, from the per-step progress the stage reported, leaving out
 * the first {@code warmupSteps} steps (engine warm-up, JIT, first S3 reads).
 *
 * @param stage               stage name (stage1 | stage2)
 * @param steps               steps the stage ran
 * @param warmupSteps         steps left out at the start
 * @param measuredSteps       steps measured
 * @param stepsPerSec         measured steps / their wall time (includes checkpoint commits)
 * @param medianStepsPerSec   1 / median step time (robust to checkpoint commits and busy cores)
 * @param tokensPerSec        median over measured steps of the tokens/s the training loop's
 *                            StepListener reports (non-pad text and image positions)
 */
public record StageThroughput(
    String stage,
    long steps,
    long warmupSteps,
    long measuredSteps,
    double stepsPerSec,
    double medianStepsPerSec,
    double tokensPerSec) {

  /** Throughput from the reports of a training stage's context. */
  public static StageThroughput of(String stage, List<InJvmStageContext.Report> reports, int warmupSteps) {
    // Only this stage's step reports, one per step (the loop reports each step exactly once).
    List<InJvmStageContext.Report> steps = new ArrayList<>();
    for (InJvmStageContext.Report r : reports) {
      if (stage.equals(r.progress().stage()) && r.progress().step() > 0) {
        steps.add(r);
      }
    }
    int n = steps.size();
    if (n < 2) {
      throw new IllegalStateException(stage + " reported " + n + " steps; throughput needs at least 2");
    }
    // Keep at least one measured step interval, whatever the warm-up asked for.
    int warm = Math.max(1, Math.min(warmupSteps, n - 1));
    int measured = n - warm;
    double[] stepSeconds = new double[measured];
    double[] tokens = new double[measured];
    for (int i = 0; i < measured; i++) {
      stepSeconds[i] = (steps.get(warm + i).nanos() - steps.get(warm + i - 1).nanos()) / 1e9;
      tokens[i] = steps.get(warm + i).progress().tokensPerSec();
    }
    double wall = (steps.get(n - 1).nanos() - steps.get(warm - 1).nanos()) / 1e9;
    return new StageThroughput(stage, n, warm, measured, measured / wall, 1 / median(stepSeconds), median(tokens));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
