package io.llavascale.workflows.stages;

import io.llavascale.workflows.spec.RunSpec;

/**
 * Input of MergeLora.
 *
 * @param runId   storage run id: the merged model goes to runs/&lt;runId&gt;/merge/output/
 * @param spec    the resolved run (tuning method, seed)
 * @param baseUri s3 URI of the weights stage 2 trained adapters against (stage 1's output)
 * @param tuned   stage 2's committed output: the adapter folder (adapter_config.json, ...)
 */
public record MergeRequest(String runId, RunSpec spec, String baseUri, TrainResult tuned) {}
