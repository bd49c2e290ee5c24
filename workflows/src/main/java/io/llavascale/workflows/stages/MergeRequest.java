package io.llavascale.workflows.stages;

import io.llavascale.workflows.spec.RunSpec;

/** Input of MergeLora: the stage-2 output holding base weights and adapter. */
public record MergeRequest(String runId, RunSpec spec, TrainResult tuned) {}
