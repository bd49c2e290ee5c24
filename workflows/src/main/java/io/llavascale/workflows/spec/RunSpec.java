package io.llavascale.workflows.spec;

/**
 * A fully resolved run: preset applied, overrides merged, validated. Immutable and small, so it can
 * cross Temporal as an activity argument. Built only by {@link RunSpecParser}.
 *
 * @param preset     the preset it was resolved from ("" when none)
 * @param seed       seeds every random choice of the run (data order, init, dropout masks)
 * @param resumeFrom run id whose committed stage outputs and checkpoints this run reuses ("" when none)
 * @param dataFrom   run id whose committed data prep this run takes instead of running its own
 *                   ("" when none); its other stages go under its own id. What a scaling study's
 *                   runs share.
 * @param stage1From run id whose committed stage 1 this run takes ("" when none); needs dataFrom,
 *                   the data prep that stage 1 was trained on (its tokenizer).
 * @param stopAfter  dataprep | stage1: end the run after that stage, the rest skipped ("" runs
 *                   every stage). What a study's shared data-prep and stage-1 runs use.
 * @param stage2From run id whose committed stage 2 (and merge) this run takes ("" when none); needs
 *                   stage1From, the stage 1 it was tuned on. A study's beam widths share stage 2 so.
 */
public record RunSpec(
    String preset,
    long seed,
    ModelSpec model,
    TuningSpec tuning,
    DataSpec data,
    StageSpec stage1,
    StageSpec stage2,
    CheckpointSpec checkpoint,
    EvalSpec eval,
    ComputeSpec compute,
    String resumeFrom,
    String dataFrom,
    String stage1From,
    String stopAfter,
    String stage2From) {

  /** A spec recorded in a Temporal history before sharing existed shares nothing. */
  public RunSpec {
    dataFrom = dataFrom == null ? "" : dataFrom;
    stage1From = stage1From == null ? "" : stage1From;
    stopAfter = stopAfter == null ? "" : stopAfter;
    stage2From = stage2From == null ? "" : stage2From;
  }

  /** A run that shares nothing and runs every stage (tests and benchmarks build these). */
  public RunSpec(String preset, long seed, ModelSpec model, TuningSpec tuning, DataSpec data, StageSpec stage1,
      StageSpec stage2, CheckpointSpec checkpoint, EvalSpec eval, ComputeSpec compute, String resumeFrom) {
    this(preset, seed, model, tuning, data, stage1, stage2, checkpoint, eval, compute, resumeFrom, "", "", "", "");
  }
}
