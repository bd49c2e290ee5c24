package io.llavascale.workflows.pipeline;

import java.util.List;

/**
 * Answer of the {@code progress} query.
 *
 * @param runId          storage run id
 * @param state          running | paused | completed | failed | cancelled
 * @param stage          current (or last) stage name
 * @param step           optimizer step of the current stage
 * @param totalSteps     total steps of the current stage (0 when unknown)
 * @param loss           latest loss reported
 * @param etaSeconds     estimate for the current stage, from the worker's step rate
 * @param lastCheckpoint s3 URI of the newest committed checkpoint of the current stage
 * @param gpuHours       GPU-hours spent so far by this run
 * @param stages         every stage with its status
 */
public record PipelineProgress(
    String runId,
    String state,
    String stage,
    long step,
    long totalSteps,
    double loss,
    double etaSeconds,
    String lastCheckpoint,
    double gpuHours,
    List<StageStatus> stages) {}
