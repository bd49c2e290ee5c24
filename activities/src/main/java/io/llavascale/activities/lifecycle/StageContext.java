package io.llavascale.activities.lifecycle;

import io.llavascale.workflows.stages.StageProgress;
import java.util.Optional;

/**
 * What a stage runner needs from its caller: somewhere to report progress, what an earlier attempt
 * reported, and whether to stop. The Temporal activity supplies heartbeats and the pipeline's
 * progress signal; the benchmark runs the same stages with a plain in-JVM context.
 */
public interface StageContext {
  /** Latest progress; cheap to call every step (the implementation throttles). */
  void progress(StageProgress progress, long stepsRecomputed);

  /** What the previous attempt of this stage last reported, if it was retried. */
  Optional<TrainingHeartbeat> previousAttempt();

  /** True once the worker is shutting down: checkpoint now and give the attempt back. */
  boolean stopRequested();

  /** For log lines: "run=<id> stage=<stage> attempt=<n>". */
  String label();
}
