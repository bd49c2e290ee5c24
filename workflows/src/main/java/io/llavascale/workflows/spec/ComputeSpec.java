package io.llavascale.workflows.spec;

/**
 * Where and how training runs.
 *
 * @param backend     jvm: the tiny model trains in the worker JVM (DJL); external: the worker
 *                    launches the reference trainer (deepspeed llava/train/train_mem.py) as a
 *                    process and syncs its checkpoint-N folders with S3
 * @param gpuPool     pool name; training activities go to task queue llava-gpu-&lt;gpuPool&gt;
 * @param gpusPerNode GPUs one training activity holds (used for GPU-hours and per-device batch)
 * @param nodes       nodes per training stage
 */
public record ComputeSpec(String backend, String gpuPool, int gpusPerNode, int nodes) {
  public static final String JVM = "jvm";
  public static final String EXTERNAL = "external";
}
