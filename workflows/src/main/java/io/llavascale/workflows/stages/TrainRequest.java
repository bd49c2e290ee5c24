package io.llavascale.workflows.stages;

import io.llavascale.workflows.spec.RunSpec;

/**
 * Input of AlignStage and TuneStage.
 *
 * @param runId   storage run id: checkpoints go to runs/&lt;runId&gt;/&lt;stage&gt;/ckpt/
 * @param spec    the resolved run
 * @param data    data prep's committed output
 * @param initFrom s3 URI of the previous stage's output to start from ("" for stage 1)
 * @param gang    this activity's rank of a multi-node stage; null on a single node
 */
public record TrainRequest(String runId, RunSpec spec, PreparedData data, String initFrom, GangRank gang) {

  /** A single-node stage. */
  public TrainRequest(String runId, RunSpec spec, PreparedData data, String initFrom) {
    this(runId, spec, data, initFrom, null);
  }

  public TrainRequest forRank(GangRank rank) {
    return new TrainRequest(runId, spec, data, initFrom, rank);
  }
}
