package io.llavascale.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.external.ExternalTrainerSettings;
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
 * The external backend's worker JVM SIGKILLed mid-stage: its trainer process (`llava
 * train-process` as the reference command) dies with it instead of training on as an orphan, a new
 * worker resumes stage 2 from the newest committed checkpoint, and the run ends with the loss of an
 * uninterrupted in-JVM run.
 */
class ExternalWorkerCrashTest {
  private static final int CHECKPOINT_EVERY = 20;

  @TempDir static Path home;
  static EmbeddedStack stack;
  static WorkerPools controlAndCpu;
  static ObjectStore store;
  static Runs runs;
  static Map<String, String> externalEnv;

  @BeforeAll
  static void startStack() throws Exception {
    stack = EmbeddedStack.start(StackConfig.fromEnv(Map.of(StackConfig.ENV_HOME, home.toString())), 0, 0);
    StackConfig config = stack.config();
    controlAndCpu = WorkerPools.launch(config, PoolSelection.parse("control,cpu"), 2, 1, Duration.ofSeconds(10));
    store = new S3ObjectStore(S3Clients.create(config), config.s3Bucket());
    runs = new Runs(TemporalConnections.client(config));
    Path data = home.resolve("dataset");
    SyntheticDataset.write(data, SyntheticDataset.Options.of(3, 160, 160, 0, 8));
    DatasetUpload.upload(store, data, "datasets/crash/");
    externalEnv = Map.of(
        ExternalTrainerSettings.ENV_LAUNCHER, String.join(" ", ChildWorker.java(), "-Xmx1g", "-Dai.djl.offline=true",
            "-cp", System.getProperty("java.class.path"), "io.llavascale.workers.cli.LlavaCli", "train-process"),
        ExternalTrainerSettings.ENV_DIR, Files.createDirectories(home.resolve("trainer-dir")).toString());
  }

  @AfterAll
  static void stopStack() {
    controlAndCpu.close();
    stack.close();
  }

  private static Map<String, Object> spec(String backend) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("preset", "tiny-full");
    spec.put("data", DemoDataset.dataSection(store, "datasets/crash/", false));
    spec.put("stage1", Map.of("maxSteps", 20));
    spec.put("stage2", Map.of("maxSteps", 120, "epochs", 20));
    spec.put("checkpoint", Map.of("everySteps", CHECKPOINT_EVERY, "keep", 2));
    spec.put("compute", Map.of("backend", backend));
    return spec;
  }

  @Test
  void sigkilledWorkerTakesItsTrainerAlongAndTheNextWorkerResumes() throws Exception {
    PipelineReport inJvm = runToEnd("ext-baseline", spec("jvm"), Map.of(), "worker-baseline.log");

    Process worker = ChildWorker.startGpuWorker(home, "worker-external.log", externalEnv);
    runs.start("ext-kill", spec("external"));
    CompletableFuture<PipelineReport> result = CompletableFuture.supplyAsync(() -> runs.await("ext-kill"));
    CheckpointStore stage2 = CheckpointStore.forStage(store, "ext-kill", StageNames.TUNE);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (newestCommitted(stage2) < 2L * CHECKPOINT_EVERY) {
      assertTrue(System.nanoTime() < deadline, "stage 2 never committed step " + 2 * CHECKPOINT_EVERY);
      assertTrue(worker.isAlive(), "the GPU worker died by itself; see its log in " + home);
      Thread.sleep(50);
    }
    List<ProcessHandle> trainers = worker.toHandle().descendants()
        .filter(p -> p.info().commandLine().orElse("").contains("java")).toList();
    assertFalse(trainers.isEmpty(), "the worker runs its trainer as a child process");
    worker.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs
    long committedAtKill = newestCommitted(stage2);
    long orphanDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (trainers.stream().anyMatch(ProcessHandle::isAlive)) {
      assertTrue(System.nanoTime() < orphanDeadline, "the trainer outlived its worker: " + trainers);
      Thread.sleep(50);
    }

    Process replacement = ChildWorker.startGpuWorker(home, "worker-external-2.log", externalEnv);
    PipelineReport recovered;
    try {
      recovered = result.get(10, TimeUnit.MINUTES);
    } finally {
      replacement.destroyForcibly().waitFor();
    }
    assertEquals(committedAtKill, recovered.tune().resumedFromStep(), "stage 2 resumes from the newest commit");
    assertTrue(recovered.tune().resumedFromStep() > 0);
    assertTrue(recovered.tune().stepsRecomputed() <= CHECKPOINT_EVERY, "recomputed " + recovered.tune().stepsRecomputed());
    assertEquals(inJvm.tune().steps(), recovered.tune().steps());
    assertEquals(inJvm.tune().finalLoss(), recovered.tune().finalLoss(), 1e-6,
        "the external trainer, killed and resumed, ends where the in-JVM trainer does");
  }

  private static PipelineReport runToEnd(String runId, Map<String, Object> spec, Map<String, String> env, String log)
      throws Exception {
    Process worker = ChildWorker.startGpuWorker(home, log, env);
    try {
      runs.start(runId, spec);
      return runs.await(runId);
    } finally {
      worker.destroyForcibly().waitFor();
    }
  }

  private static long newestCommitted(CheckpointStore checkpoints) {
    List<CheckpointStore.Committed> committed = checkpoints.listCommitted();
    return committed.isEmpty() ? 0 : committed.get(0).step();
  }
}
