package io.llavascale.workflows.stages;

/**
 * Live progress of a training or evaluation activity: its heartbeat details, and the payload of the
 * pipeline's {@code reportProgress} signal. {@code lastCheckpoint} is always the URI of a committed
 * checkpoint (empty before the first), never an in-memory counter. {@code learningRate} is the
 * rate of the latest step (0 when the stage has none, as data prep and evaluation).
 */
public record StageProgress(
    String stage,
    long step,
    long totalSteps,
    double loss,
    double learningRate,
    double tokensPerSec,
    double etaSeconds,
    String lastCheckpoint) {}
