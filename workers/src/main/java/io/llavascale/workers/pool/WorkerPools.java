package io.llavascale.workers.pool;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.llavascale.activities.lifecycle.ShutdownSignal;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.workers.wiring.LlavaModule;
import io.llavascale.workflows.pipeline.LlavaPipelineImpl;
import io.llavascale.workflows.spec.PresetCatalog;
import io.llavascale.workflows.stages.TaskQueues;
import io.llavascale.workflows.study.ScalingStudyImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker process: a Temporal worker per selected task queue, sharing one factory. Shutdown is
 * graceful: training activities see {@link ShutdownSignal}, commit a checkpoint and hand the
 * attempt back before the process exits.
 */
public final class WorkerPools implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerPools.class);

  private final WorkerFactory factory;
  private final ShutdownSignal shutdown;
  private final Duration grace;
  private final PoolSelection selection;
  private final GpuSlots gpu;
  private final Runnable afterClose;

  /**
   * @param cpuSlots activities one cpu worker runs at once
   * @param gpu      the node's GPUs and the training/eval slots they make (one per GPU group)
   * @param grace    how long shutdown waits for running activities to checkpoint
   */
  public WorkerPools(
      WorkflowClient client,
      PoolSelection selection,
      StageActivities activities,
      ShutdownSignal shutdown,
      int cpuSlots,
      GpuSlots gpu,
      Duration grace) {
    this(client, selection, activities, shutdown, cpuSlots, gpu, grace, () -> {});
  }

  private WorkerPools(
      WorkflowClient client,
      PoolSelection selection,
      StageActivities activities,
      ShutdownSignal shutdown,
      int cpuSlots,
      GpuSlots gpu,
      Duration grace,
      Runnable afterClose) {
    this.afterClose = afterClose;
    this.shutdown = shutdown;
    this.grace = grace;
    this.selection = selection;
    this.gpu = gpu;
    // No workflow cache means no sticky queues: the embedded server is in-memory and a restarted
    // worker would otherwise strand workflows on a dead sticky queue (DESIGN.md).
    this.factory =
        WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder().setWorkflowCacheSize(0).build());
    if (selection.control()) {
      // Parse the bundled presets now, not inside the first workflow task.
      PresetCatalog.preload();
      Worker worker = factory.newWorker(TaskQueues.CONTROL, options(TaskQueues.CONTROL, 4, ""));
      worker.registerWorkflowImplementationTypes(LlavaPipelineImpl.class, ScalingStudyImpl.class);
    }
    if (selection.cpu()) {
      factory.newWorker(TaskQueues.CPU, options(TaskQueues.CPU, cpuSlots, ""))
          .registerActivitiesImplementations(activities.cpu);
    }
    for (String pool : selection.gpuPools()) {
      factory
          .newWorker(TaskQueues.gpu(pool), options(TaskQueues.gpu(pool), gpu.slots(), " " + gpu.describe()))
          .registerActivitiesImplementations(activities.gpu);
    }
  }

  /** Builds the pools of one process from its config (Guice wiring) and starts them. */
  public static WorkerPools launch(
      StackConfig config, PoolSelection selection, int cpuSlots, int gpuSlots, Duration grace) {
    return launch(config, selection, cpuSlots, GpuSlots.cpuOnly(gpuSlots), grace);
  }

  /** As above, with the GPU slots planned from the node's GPUs. */
  public static WorkerPools launch(
      StackConfig config, PoolSelection selection, int cpuSlots, GpuSlots gpu, Duration grace) {
    Injector injector = Guice.createInjector(new LlavaModule(config));
    WorkflowClient client = injector.getInstance(WorkflowClient.class);
    // The connection is this process's own, so closing the pools closes it too.
    WorkerPools workers = new WorkerPools(client, selection, injector.getInstance(StageActivities.class),
        injector.getInstance(ShutdownSignal.class), cpuSlots, gpu, grace,
        () -> client.getWorkflowServiceStubs().shutdown());
    workers.start();
    return workers;
  }

  /**
   * The identity the UI shows for each attempt this worker runs: process, host, queue and, for GPU
   * pools, the GPUs and slots, so a run's history says on which node and hardware each stage ran.
   */
  static WorkerOptions options(String queue, int activitySlots, String hardware) {
    return WorkerOptions.newBuilder()
        .setMaxConcurrentActivityExecutionSize(activitySlots)
        .setIdentity(ProcessHandle.current().pid() + "@" + hostName() + " " + queue + hardware)
        .build();
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME"); // the pod name on Kubernetes
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown-host";
    }
  }

  public void start() {
    factory.start();
    log.info("worker started: queues {}{}", selection.taskQueues(),
        selection.gpuPools().isEmpty() ? "" : "; GPU pools: " + gpu.describe() + " (GPUs from " + gpu.inventory().source()
            + (gpu.idleGpus() > 0 ? ", " + gpu.idleGpus() + " idle: not a whole group" : "") + ")");
  }

  /** Graceful: running activities checkpoint and give their attempt back, then we stop. */
  @Override
  public void close() {
    shutdown.request();
    factory.shutdown();
    factory.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    if (!factory.isTerminated()) {
      log.warn("worker: activities still running after {}s grace; stopping them", grace.toSeconds());
      factory.shutdownNow();
    }
    afterClose.run();
    log.info("worker stopped: queues {}", selection.taskQueues());
  }
}
