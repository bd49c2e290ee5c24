package io.llavascale.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.store.CheckpointStore;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.S3ObjectStore;
import io.llavascale.infra.config.EmbeddedStack;
import io.llavascale.infra.config.S3Clients;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.workers.client.DatasetUpload;
import io.llavascale.workers.client.DemoDataset;
import io.llavascale.workers.client.Runs;
import io.llavascale.workers.pool.PoolSelection;
import io.llavascale.workers.pool.WorkerPools;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.stages.StageNames;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability promise end to end: the GPU-pool worker runs in its own JVM and is stopped during
 * stage 2, either with SIGKILL (no warning) or SIGTERM (graceful); a new worker picks the stage up
 * from the newest committed checkpoint in S3, and the run ends with exactly the loss of an
 * uninterrupted run.
 */
class WorkerCrashRecoveryTest {
  private static final int CHECKPOINT_EVERY = 20;

  @TempDir static Path home;
  static EmbeddedStack stack;
  static WorkerPools controlAndCpu;
  static ObjectStore store;
  static Runs runs;
  static PipelineReport uninterrupted;

  @BeforeAll
  static void startStack() throws Exception {
    stack = EmbeddedStack.start(StackConfig.fromEnv(Map.of(StackConfig.ENV_HOME, home.toString())), 0, 0);
    StackConfig config = stack.config();
    // Workflows and CPU stages stay in this JVM; only the GPU pool lives (and dies) in a child.
    controlAndCpu = WorkerPools.launch(config, PoolSelection.parse("control,cpu"), 2, 1, Duration.ofSeconds(10));
    store = new S3ObjectStore(S3Clients.create(config), config.s3Bucket());
    runs = new Runs(TemporalConnections.client(config));
    Path data = home.resolve("dataset");
    SyntheticDataset.write(data, SyntheticDataset.Options.of(3, 160, 160, 0, 8));
    DatasetUpload.upload(store, data, "datasets/crash/");
    runUninterrupted();
  }

  private static void runUninterrupted() throws Exception {
    Process worker = startGpuWorker("worker-baseline.log");
    try {
      runs.start("crash-baseline", spec());
      uninterrupted = runs.await("crash-baseline");
    } finally {
      worker.destroyForcibly().waitFor();
    }
  }

  @AfterAll
  static void stopStack() {
    controlAndCpu.close();
    stack.close();
  }

  private static Map<String, Object> spec() {
    Map<String, Object> data = DemoDataset.dataSection(store, "datasets/crash/", false);
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("preset", "tiny-full");
    spec.put("data", data);
    spec.put("stage1", Map.of("maxSteps", 20));
    spec.put("stage2", Map.of("maxSteps", 120, "epochs", 20));
    spec.put("checkpoint", Map.of("everySteps", CHECKPOINT_EVERY, "keep", 2));
    return spec;
  }

  @Test
  void sigkilledGpuWorkerResumesFromCommittedCheckpointWithTheSameLoss() throws Exception {
    Process worker = startGpuWorker("worker-killed.log");
    runs.start("crash-kill", spec());
    CompletableFuture<PipelineReport> result = CompletableFuture.supplyAsync(() -> runs.await("crash-kill"));
    CheckpointStore stage2 = CheckpointStore.forStage(store, "crash-kill", StageNames.TUNE);
    awaitCheckpoint(stage2, 2L * CHECKPOINT_EVERY, worker);
    worker.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no final checkpoint
    // Checkpoints commit synchronously every CHECKPOINT_EVERY steps, so resuming from the newest
    // one committed at the kill bounds the recomputed steps by one interval.
    long committedAtKill = newestCommitted(stage2);

    PipelineReport recovered = finishWithNewWorker(result, "worker-replacement.log");

    assertEquals(committedAtKill, recovered.tune().resumedFromStep(),
        "stage 2 resumes from the newest checkpoint committed before the kill");
    assertTrue(recovered.tune().resumedFromStep() > 0, "stage 2 must not restart from step 0");
    assertTrue(recovered.tune().stepsRecomputed() <= CHECKPOINT_EVERY,
        "recomputed " + recovered.tune().stepsRecomputed() + " steps, more than one checkpoint interval");
    assertSameOutcomeAsUninterrupted(recovered);
  }

  @Test
  void sigtermedGpuWorkerCheckpointsBeforeExitAndLosesNothing() throws Exception {
    Process worker = startGpuWorker("worker-terminated.log");
    runs.start("crash-term", spec());
    CompletableFuture<PipelineReport> result = CompletableFuture.supplyAsync(() -> runs.await("crash-term"));
    CheckpointStore stage2 = CheckpointStore.forStage(store, "crash-term", StageNames.TUNE);
    awaitCheckpoint(stage2, CHECKPOINT_EVERY, worker);
    long committedBeforeTerm = newestCommitted(stage2);
    worker.destroy(); // SIGTERM: the shutdown hook lets the stage checkpoint and hand back
    assertTrue(worker.waitFor(60, TimeUnit.SECONDS), "the worker exits within its grace period");
    long committedAtExit = newestCommitted(stage2);

    PipelineReport recovered = finishWithNewWorker(result, "worker-after-term.log");

    assertTrue(committedAtExit >= committedBeforeTerm);
    assertEquals(committedAtExit, recovered.tune().resumedFromStep(),
        "stage 2 resumes from the checkpoint written at shutdown");
    assertSameOutcomeAsUninterrupted(recovered);
  }

  private static void awaitCheckpoint(CheckpointStore checkpoints, long step, Process worker) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (newestCommitted(checkpoints) < step) {
      assertTrue(System.nanoTime() < deadline, "stage 2 never committed step " + step);
      assertTrue(worker.isAlive(), "the GPU worker died by itself; see its log in " + home);
      Thread.sleep(50);
    }
  }

  private static PipelineReport finishWithNewWorker(CompletableFuture<PipelineReport> result, String logName)
      throws Exception {
    Process replacement = startGpuWorker(logName);
    try {
      return result.get(10, TimeUnit.MINUTES); // generous: on 2 busy cores stage 2 alone can take minutes
    } finally {
      replacement.destroyForcibly().waitFor();
    }
  }

  private static void assertSameOutcomeAsUninterrupted(PipelineReport recovered) {
    assertEquals(uninterrupted.tune().steps(), recovered.tune().steps());
    assertEquals(uninterrupted.tune().finalLoss(), recovered.tune().finalLoss(), 1e-6,
        "a resumed run reaches the loss of an uninterrupted one");
    assertEquals(uninterrupted.eval().exactMatch(), recovered.eval().exactMatch(), 1e-9);
  }

  private static long newestCommitted(CheckpointStore checkpoints) {
    List<CheckpointStore.Committed> committed = checkpoints.listCommitted();
    return committed.isEmpty() ? 0 : committed.get(0).step();
  }

  private static Process startGpuWorker(String logName) throws IOException {
    return ChildWorker.startGpuWorker(home, logName);
  }
}
