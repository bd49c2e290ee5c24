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
import io.llavascale.workers.client.Runs;
import io.llavascale.workers.pool.PoolSelection;
import io.llavascale.workers.pool.WorkerPools;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.stages.StageNames;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
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
 * The durability promise end to end: the GPU-pool worker runs in its own JVM and is killed with
 * SIGKILL during stage 2; a new worker picks the stage up from the newest committed checkpoint in
 * S3, and the run ends with exactly the loss of an uninterrupted run.
 */
class WorkerCrashRecoveryTest {
  private static final int CHECKPOINT_EVERY = 20;

  @TempDir static Path home;
  static EmbeddedStack stack;
  static WorkerPools controlAndCpu;
  static ObjectStore store;
  static Runs runs;

  @BeforeAll
  static void startStack() {
    stack = EmbeddedStack.start(StackConfig.fromEnv(Map.of(StackConfig.ENV_HOME, home.toString())), 0, 0);
    StackConfig config = stack.config();
    // Workflows and CPU stages stay in this JVM; only the GPU pool lives (and dies) in a child.
    controlAndCpu = WorkerPools.launch(config, PoolSelection.parse("control,cpu"), 2, 1, Duration.ofSeconds(10));
    store = new S3ObjectStore(S3Clients.create(config), config.s3Bucket());
    runs = new Runs(TemporalConnections.client(config));
    Path data = home.resolve("dataset");
    SyntheticDataset.write(data, SyntheticDataset.Options.of(3, 160, 160, 0, 8));
    DatasetUpload.upload(store, data, "datasets/crash/");
  }

  @AfterAll
  static void stopStack() {
    controlAndCpu.close();
    stack.close();
  }

  private static Map<String, Object> spec() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("stage1", store.uri("datasets/crash/" + SyntheticDataset.STAGE1));
    data.put("stage2", store.uri("datasets/crash/" + SyntheticDataset.STAGE2));
    data.put("images", store.uri("datasets/crash/images/"));
    data.put("eval", store.uri("datasets/crash/" + SyntheticDataset.EVAL));
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
    PipelineReport uninterrupted;
    Process worker = startGpuWorker("worker-a.log");
    try {
      runs.start("crash-baseline", spec());
      uninterrupted = runs.await("crash-baseline");
    } finally {
      worker.destroyForcibly().waitFor();
    }

    worker = startGpuWorker("worker-b.log");
    runs.start("crash-run", spec());
    CompletableFuture<PipelineReport> result = CompletableFuture.supplyAsync(() -> runs.await("crash-run"));
    CheckpointStore stage2 = CheckpointStore.forStage(store, "crash-run", StageNames.TUNE);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (newestCommitted(stage2) < 2L * CHECKPOINT_EVERY) {
      assertTrue(System.nanoTime() < deadline, "stage 2 never committed two checkpoints");
      assertTrue(worker.isAlive(), "the GPU worker died by itself; see " + home.resolve("worker-b.log"));
      Thread.sleep(100);
    }
    worker.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no final checkpoint
    long committedAtKill = newestCommitted(stage2);

    Process replacement = startGpuWorker("worker-c.log");
    PipelineReport recovered;
    try {
      recovered = result.get(5, TimeUnit.MINUTES);
    } finally {
      replacement.destroyForcibly().waitFor();
    }

    assertEquals(committedAtKill, recovered.tune().resumedFromStep(),
        "stage 2 resumes from the newest checkpoint committed before the kill");
    assertTrue(recovered.tune().resumedFromStep() > 0, "stage 2 must not restart from step 0");
    assertTrue(recovered.tune().stepsRecomputed() <= CHECKPOINT_EVERY,
        "recomputed " + recovered.tune().stepsRecomputed() + " steps, more than one checkpoint interval");
    assertEquals(uninterrupted.tune().steps(), recovered.tune().steps());
    assertEquals(uninterrupted.tune().finalLoss(), recovered.tune().finalLoss(), 1e-6,
        "a resumed run reaches the loss of an uninterrupted one");
    assertEquals(uninterrupted.eval().exactMatch(), recovered.eval().exactMatch(), 1e-9);
  }

  private static long newestCommitted(CheckpointStore checkpoints) {
    List<CheckpointStore.Committed> committed = checkpoints.listCommitted();
    return committed.isEmpty() ? 0 : committed.get(0).step();
  }

  /** `llava worker --pools gpu-local` in a child JVM that finds the stack through stack.json. */
  private static Process startGpuWorker(String logName) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx2g", "-Dai.djl.offline=true",
        "-cp", System.getProperty("java.class.path"), "io.llavascale.workers.cli.LlavaCli",
        "worker", "--pools", "gpu-local", "--home", home.toString());
    File log = home.resolve(logName).toFile();
    builder.redirectErrorStream(true).redirectOutput(log);
    Process process = builder.start();
    assertTrue(process.isAlive() || Files.exists(log.toPath()));
    return process;
  }
}
