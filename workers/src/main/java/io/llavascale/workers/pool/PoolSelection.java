package io.llavascale.workers.pool;

import io.llavascale.workflows.stages.TaskQueues;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which task queues one worker process serves, parsed from {@code --pools}: {@code control}
 * (workflow tasks), {@code cpu}, and {@code gpu-<pool>} per GPU pool. One JVM can serve several;
 * production runs each pool in its own process.
 */
public record PoolSelection(boolean control, boolean cpu, List<String> gpuPools) {

  public static final String ALL_LOCAL = "control,cpu,gpu-local";

  public static PoolSelection parse(String csv) {
    Set<String> seen = new LinkedHashSet<>();
    for (String raw : csv.split(",")) {
      String name = raw.trim();
      if (!name.isEmpty()) {
        seen.add(name);
      }
    }
    if (seen.isEmpty()) {
      throw new IllegalArgumentException("--pools is empty; allowed: control, cpu, gpu-<pool> (for example " + ALL_LOCAL + ")");
    }
    boolean control = false;
    boolean cpu = false;
    List<String> gpu = new ArrayList<>();
    for (String name : seen) {
      if (name.equals("control")) {
        control = true;
      } else if (name.equals("cpu")) {
        cpu = true;
      } else if (name.startsWith("gpu-") && name.length() > 4 && name.substring(4).matches("[a-z0-9][a-z0-9-]*")) {
        gpu.add(name.substring(4));
      } else {
        throw new IllegalArgumentException(
            "--pools: unknown pool '" + name + "'; allowed: control, cpu, gpu-<pool> with <pool> of a-z, 0-9 and '-' (for example gpu-local, gpu-a100x8)");
      }
    }
    return new PoolSelection(control, cpu, List.copyOf(gpu));
  }

  /** Task queues this selection polls, for logs and the worker identity. */
  public List<String> taskQueues() {
    List<String> queues = new ArrayList<>();
    if (control) {
      queues.add(TaskQueues.CONTROL);
    }
    if (cpu) {
      queues.add(TaskQueues.CPU);
    }
    gpuPools.forEach(pool -> queues.add(TaskQueues.gpu(pool)));
    return queues;
  }
}
