package io.llavascale.workflows.spec;

/**
 * @param everySteps save a committed checkpoint every N optimizer steps
 * @param keep       retention: how many newest committed checkpoints survive
 */
public record CheckpointSpec(int everySteps, int keep) {}
