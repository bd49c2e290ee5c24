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

  /**
   * Rank 0 of a multi-node stage tells the pipeline where it listens, so the other ranks can start.
   * Only a pipeline runs gangs; a context without one (the benchmark, a test) cannot.
   */
  default void gangMasterReady(String rendezvousId, String address) {
    throw new UnsupportedOperationException("multi-node stages run under the pipeline only");
  }

  /** For log lines: "run=<id> stage=<stage> attempt=<n>". */
  String label();
}
