package io.llavascale.workflows.stages;

import io.llavascale.workflows.spec.RunSpec;

/**
 * Input of AlignStage and TuneStage.
 *
 * @param runId   storage run id: checkpoints go to runs/&lt;runId&gt;/&lt;stage&gt;/ckpt/
 * @param spec    the resolved run
 * @param data    data prep's committed output
 * @param initFrom s3 URI of the previous stage's output to start from ("" for stage 1)
 */
public record TrainRequest(String runId, RunSpec spec, PreparedData data, String initFrom) {}
