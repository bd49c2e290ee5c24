package io.llavascale.workers.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * What {@code llava bench} measured; printed as a table or written as JSON.
 *
 * @param preset        preset the spec starts from
 * @param measuredAt    when the bench ran (ISO-8601, UTC)
 * @param cpus          processors the JVM saw
 * @param warmupSteps   training steps left out of the throughput figures
 * @param throughput    training throughput of stage 1 and stage 2, from the direct run
 * @param orchestration the same stages run directly and through Temporal
 */
public record BenchResult(
    String preset,
    String measuredAt,
    int cpus,
    int warmupSteps,
    List<StageThroughput> throughput,
    Orchestration orchestration) {

  /**
   * @param directRunId     run id (storage prefix) of the direct run
   * @param temporalRunId   run id (workflow id, storage prefix) of the Temporal run
   * @param directSeconds   wall time of the direct run, first store call to report written
   * @param temporalSeconds wall time of the Temporal run, workflow start to result received
   * @param ratio           temporalSeconds / directSeconds
   * @param overheadSeconds temporalSeconds - directSeconds
   * @param stages          per-stage seconds of both runs (Temporal's from the pipeline report)
   */
  public record Orchestration(
      String directRunId,
      String temporalRunId,
      double directSeconds,
      double temporalSeconds,
      double ratio,
      double overheadSeconds,
      List<StageTimes> stages) {}

  /** One stage's wall seconds in each mode; NaN where a mode did not run the stage. */
  public record StageTimes(String stage, double directSeconds, double temporalSeconds) {}

  /** The human-readable report. */
  public void print(PrintStream out) {
    out.printf(Locale.ROOT, "llava bench: preset %s, %d CPUs, %s%n%n", preset, cpus, measuredAt);
    out.printf(Locale.ROOT, "Training throughput (direct run, first %d steps of each stage left out)%n", warmupSteps);
    out.printf(Locale.ROOT, "  %-7s %6s %9s %16s %14s %14s%n",
        "stage", "steps", "measured", "steps/s median", "steps/s wall", "tokens/s");
    for (StageThroughput t : throughput) {
      out.printf(Locale.ROOT, "  %-7s %6d %9d %16.1f %14.1f %14.0f%n",
          t.stage(), t.steps(), t.measuredSteps(), t.medianStepsPerSec(), t.stepsPerSec(), t.tokensPerSec());
    }
    out.println();
    Orchestration o = orchestration;
    out.printf(Locale.ROOT, "Orchestration overhead (same stages, same store; runs %s vs %s)%n",
        o.directRunId(), o.temporalRunId());
    out.printf(Locale.ROOT, "  %-9s %10s %12s%n", "stage", "direct s", "temporal s");
    for (StageTimes s : o.stages()) {
      out.printf(Locale.ROOT, "  %-9s %10s %12s%n", s.stage(), seconds(s.directSeconds()), seconds(s.temporalSeconds()));
    }
    out.printf(Locale.ROOT, "  %-9s %10.2f %12.2f%n", "total", o.directSeconds(), o.temporalSeconds());
    out.printf(Locale.ROOT, "  ratio (temporal / direct): %.3f   overhead: %+.2f s%n", o.ratio(), o.overheadSeconds());
  }

  private static String seconds(double s) {
    return Double.isNaN(s) ? "-" : String.format(Locale.ROOT, "%.2f", s);
  }
}
