package io.llavascale.workers.cli;

import io.llavascale.activities.lifecycle.PreemptionNotice;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.workers.pool.GpuInventory;
import io.llavascale.workers.pool.GpuSlots;
import io.llavascale.workers.pool.PoolSelection;
import io.llavascale.workers.pool.WorkerPools;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A worker process serving one or more pools until SIGTERM / Ctrl-C. */
@Command(name = "worker", description = "Run workers for the given pools until SIGTERM; training checkpoints before exit.")
final class WorkerCommand implements Runnable {
  @Mixin StackOptions stack;

  @Option(names = "--pools", defaultValue = PoolSelection.ALL_LOCAL, paramLabel = "LIST",
      description = "Comma-separated: control, cpu, gpu-<pool>. Default: ${DEFAULT-VALUE}")
  String pools;

  @Option(names = "--cpu-slots", defaultValue = "2", description = "Activities the cpu pool runs at once. Default: ${DEFAULT-VALUE}")
  int cpuSlots;

  @Option(names = "--gpus", paramLabel = "SPEC",
      description = "This node's GPUs: a count (8), count and model (8xA100-SXM4-80GB) or none. Default: $"
          + GpuInventory.ENV_GPUS + ", else nvidia-smi, else none")
  String gpus;

  @Option(names = "--gpus-per-slot", defaultValue = "1", paramLabel = "N",
      description = "GPUs one training stage uses (a GPU group); GPU pools run one stage per group. Default: ${DEFAULT-VALUE}")
  int gpusPerSlot;

  @Option(names = "--gpu-slots", paramLabel = "N",
      description = "Training/eval activities per GPU pool at once. Default: GPUs / --gpus-per-slot (1 without GPUs)")
  Integer gpuSlots;

  @Option(names = "--grace", defaultValue = "PT60S",
      description = "How long shutdown waits for running stages to checkpoint (ISO-8601). Default: ${DEFAULT-VALUE}")
  Duration grace;

  @Override
  public void run() {
    PoolSelection selection = PoolSelection.parse(pools);
    if (cpuSlots < 1) {
      throw new CliException("--cpu-slots must be at least 1");
    }
    GpuSlots gpu;
    try {
      gpu = selection.gpuPools().isEmpty()
          ? GpuSlots.cpuOnly(1)
          : GpuSlots.plan(GpuInventory.discover(gpus != null ? gpus : System.getenv(GpuInventory.ENV_GPUS), "nvidia-smi"),
              gpusPerSlot, gpuSlots);
    } catch (IllegalStateException e) {
      throw new CliException(e.getMessage());
    }
    StackConfig config = stack.connect();
    WorkerPools workers = WorkerPools.launch(config, selection, cpuSlots, gpu, grace);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      workers.close();
      stopped.countDown();
    }, "llava-worker-shutdown"));
    // A spot notice takes the SIGTERM path (the shutdown hook above) before the kill arrives.
    PreemptionNotice.watch(PreemptionNotice.Settings.fromEnv(System.getenv()), () -> System.exit(0));
    System.out.println("worker running for " + selection.taskQueues()
        + (selection.gpuPools().isEmpty() ? "" : " with " + gpu.describe())
        + " (Ctrl-C or SIGTERM stops it gracefully)");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
