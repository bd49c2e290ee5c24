package io.llavascale.workflows.stages;

/**
 * What a training stage committed under {@code runs/<runId>/<stage>/output/}.
 *
 * @param stage             stage1 | stage2
 * @param outputUri         s3 URI of the output prefix (weights, tokenizer, config, MANIFEST.json)
 * @param steps             optimizer steps of the stage
 * @param finalLoss         mean loss of the last step
 * @param resumedFromStep   step of the checkpoint the last attempt started from (0 = fresh)
 * @param stepsRecomputed   steps computed more than once over all attempts (work lost to crashes)
 * @param trainableParams   parameters the stage updated
 * @param seconds           wall time of the successful attempt
 * @param lastCheckpoint    s3 URI of the newest committed checkpoint
 */
public record TrainResult(
    String stage,
    String outputUri,
    long steps,
    double finalLoss,
    long resumedFromStep,
    long stepsRecomputed,
    long trainableParams,
    double seconds,
    String lastCheckpoint) {}
