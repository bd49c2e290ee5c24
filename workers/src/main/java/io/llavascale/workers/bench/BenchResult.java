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
 * @param warmupRuns    whether a tiny run in each mode came before the timed ones
 * @param throughput    training throughput of stage 1 and stage 2, from round 1's direct run
 * @param overall       both modes' wall times over all rounds
 * @param rounds        each timed pair: the same stages run directly and through Temporal
 */
public record BenchResult(
    String preset,
    String measuredAt,
    int cpus,
    int warmupSteps,
    boolean warmupRuns,
    List<StageThroughput> throughput,
    Overall overall,
    List<Orchestration> rounds) {

  /**
   * Means over the rounds (with an even number of rounds each mode ran first equally often).
   *
   * @param ratio temporalSeconds / directSeconds of the means
   */
  public record Overall(int rounds, double directSeconds, double temporalSeconds, double ratio, double overheadSeconds) {
    static Overall of(List<Orchestration> rounds) {
      double d = rounds.stream().mapToDouble(Orchestration::directSeconds).average().orElse(Double.NaN);
      double t = rounds.stream().mapToDouble(Orchestration::temporalSeconds).average().orElse(Double.NaN);
      return new Overall(rounds.size(), d, t, t / d, t - d);
    }
  }

  /**
   * @param directRunId     run id (storage prefix) of the direct run
   * @param temporalRunId   run id (workflow id, storage prefix) of the Temporal run
   * @param order           direct-first | temporal-first
   * @param directSeconds   wall time of the direct run, first store call to report written
   * @param temporalSeconds wall time of the Temporal run, workflow start to result received
   * @param ratio           temporalSeconds / directSeconds
   * @param overheadSeconds temporalSeconds - directSeconds
   * @param stages          per-stage seconds of both runs (Temporal's from the pipeline report:
   *                        activity scheduled to completed), then the {@link #BETWEEN_STAGES} row
   */
  public record Orchestration(
      String directRunId,
      String temporalRunId,
      String order,
      double directSeconds,
      double temporalSeconds,
      double ratio,
      double overheadSeconds,
      List<StageTimes> stages) {}

  /**
   * Name of the last row of {@link Orchestration#stages}: total minus the stages' own seconds, the
   * time spent between stages (ledger calls; through Temporal also workflow tasks, activity
   * dispatch, the workflow start and the result fetch).
   */
  public static final String BETWEEN_STAGES = "between";

  /** One stage's wall seconds in each mode; null where a mode did not run the stage (merge). */
  public record StageTimes(String stage, Double directSeconds, Double temporalSeconds) {}

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
    out.printf(Locale.ROOT, "Orchestration overhead (same stages, same store, separate run ids; %s)%n",
        warmupRuns ? "after a tiny warm-up run in each mode" : "no warm-up runs");
    for (int r = 0; r < rounds.size(); r++) {
      Orchestration o = rounds.get(r);
      out.printf(Locale.ROOT, "  round %d, %s: %s vs %s%n", r + 1, o.order(), o.directRunId(), o.temporalRunId());
      out.printf(Locale.ROOT, "    %-9s %10s %12s%n", "stage", "direct s", "temporal s");
      for (StageTimes s : o.stages()) {
        out.printf(Locale.ROOT, "    %-9s %10s %12s%n", s.stage(), seconds(s.directSeconds()), seconds(s.temporalSeconds()));
      }
      out.printf(Locale.ROOT, "    %-9s %10.2f %12.2f   ratio %.3f%n", "total", o.directSeconds(), o.temporalSeconds(), o.ratio());
    }
    out.printf(Locale.ROOT, "  mean over %d round(s): direct %.2f s, temporal %.2f s, ratio (temporal / direct) %.3f, overhead %+.2f s%n",
        overall.rounds(), overall.directSeconds(), overall.temporalSeconds(), overall.ratio(), overall.overheadSeconds());
  }

  private static String seconds(Double s) {
    return s == null ? "-" : String.format(Locale.ROOT, "%.2f", s);
  }
}
