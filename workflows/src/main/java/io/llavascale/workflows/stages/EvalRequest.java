package io.llavascale.workflows.stages;

import io.llavascale.workflows.spec.RunSpec;

/**
 * @param modelUri s3 URI of the model output prefix to evaluate
 */
public record EvalRequest(String runId, RunSpec spec, PreparedData data, String modelUri) {}
