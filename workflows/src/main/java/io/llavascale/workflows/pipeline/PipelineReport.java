package io.llavascale.workflows.pipeline;

import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.stages.EvalResult;
import io.llavascale.workflows.stages.MergeResult;
import io.llavascale.workflows.stages.PreparedData;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.TrainResult;
import java.util.List;

/**
 * The run's result, also written as runs/&lt;runId&gt;/report.json.
 *
 * @param runId     storage run id
 * @param spec      the resolved spec the run used
 * @param stages    every stage with status, seconds, GPU-hours and trainable parameters
 * @param data      data prep's counts
 * @param align     stage-1 result
 * @param tune      stage-2 result
 * @param merge     MergeLora's result: the merged model, how it was verified and its max abs
 *                  difference; skipped, with the reason, for full fine-tuning
 * @param eval      evaluation: eval.exactMatch and eval.perCategory, and eval.mmbench, eval.llavaBench,
 *                  eval.mmlu for the benchmarks the run configured (null otherwise)
 * @param gpuHours  total GPU-hours
 * @param reportUri s3 URI of report.json (empty inside report.json itself)
 */
public record PipelineReport(
    String runId,
    RunSpec spec,
    List<StageStatus> stages,
    PreparedData data,
    TrainResult align,
    TrainResult tune,
    MergeResult merge,
    EvalResult eval,
    double gpuHours,
    String reportUri) {

  /** Table 4's column: what stage 2 trained (also when this run reused a shared stage 2). */
  public long tunedTrainableParams() {
    return stages.stream().filter(st -> st.stage().equals(StageNames.TUNE))
        .mapToLong(StageStatus::trainableParams).findFirst()
        .orElse(tune == null ? 0 : tune.trainableParams());
  }
}
