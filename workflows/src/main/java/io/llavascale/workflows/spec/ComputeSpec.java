package io.llavascale.workflows.spec;

/**
 * Where training runs.
 *
 * @param gpuPool     pool name; training activities go to task queue llava-gpu-&lt;gpuPool&gt;
 * @param gpusPerNode GPUs one training activity holds (used for GPU-hours)
 * @param nodes       nodes per training stage
 */
public record ComputeSpec(String gpuPool, int gpusPerNode, int nodes) {}
