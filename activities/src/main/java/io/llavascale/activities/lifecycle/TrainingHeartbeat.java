package io.llavascale.activities.lifecycle;

import io.llavascale.workflows.stages.StageProgress;

/**
 * Heartbeat details of a stage activity: the DESIGN.md progress fields plus the steps this stage
 * has computed more than once over all attempts, so a retry can carry the tally forward.
 */
public record TrainingHeartbeat(StageProgress progress, long stepsRecomputed) {}
