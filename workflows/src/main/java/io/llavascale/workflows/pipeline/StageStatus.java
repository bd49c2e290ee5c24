package io.llavascale.workflows.pipeline;

/**
 * One stage's line in the report and the progress query; with the spec's compute section it is a
 * row of the paper's Table 4 (trainable parameters, GPU-hours).
 *
 * @param stage           stage name (StageNames)
 * @param status          pending | running | completed | reused | skipped | failed | cancelled
 * @param seconds         wall seconds of the stage in this run (0 when reused)
 * @param gpuHours        seconds x GPUs of the pool (gpusPerNode x nodes) / 3600 (0 for CPU stages)
 * @param trainableParams parameters the stage trained (0 for stages that train nothing)
 * @param detail          one line for people: loss, counts, skip reason, error
 */
public record StageStatus(
    String stage,
    String status,
    double seconds,
    double gpuHours,
    long trainableParams,
    String detail) {}
