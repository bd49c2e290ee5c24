package io.llavascale.workflows.spec;

/**
 * A fully resolved run: preset applied, overrides merged, validated. Immutable and small, so it can
 * cross Temporal as an activity argument. Built only by {@link RunSpecParser}.
 *
 * @param preset     the preset it was resolved from ("" when none)
 * @param seed       seeds every random choice of the run (data order, init, dropout masks)
 * @param resumeFrom run id whose committed stage outputs and checkpoints this run reuses ("" when none)
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
    String resumeFrom) {}
