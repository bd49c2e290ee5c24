package io.llavascale.workflows.stages;

/**
 * The stages of a run whose output MANIFEST.json exists and verifies in S3, read back for run-level
 * resume. A field is null when that stage has not committed.
 */
public record CommittedStages(
    PreparedData dataPrep,
    TrainResult align,
    TrainResult tune,
    MergeResult merge,
    EvalResult eval) {

  public static CommittedStages none() {
    return new CommittedStages(null, null, null, null, null);
  }
}
