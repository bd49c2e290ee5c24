package io.llavascale.activities.lifecycle;

import io.llavascale.workflows.stages.StageProgress;
import java.util.Optional;

/**
 * Heartbeat details of a stage activity: the DESIGN.md progress fields plus the steps this stage
 * has computed more than once over all attempts, so a retry can carry the tally forward.
 */
public record TrainingHeartbeat(StageProgress progress, long stepsRecomputed) {

  /**
   * Steps recomputed over all attempts once this attempt resumes from {@code resumedFrom}: the
   * previous attempt's tally plus the steps it had reached past that checkpoint.
   */
  public static long recomputedAfterResume(Optional<TrainingHeartbeat> previous, long resumedFrom) {
    return previous
        .filter(beat -> beat.progress() != null)
        .map(beat -> beat.stepsRecomputed() + Math.max(0, beat.progress().step() - resumedFrom))
        .orElse(0L);
  }
}
