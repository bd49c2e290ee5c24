package io.llavascale.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.store.CheckpointStore;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.infra.config.EmbeddedStack;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.workers.client.DatasetUpload;
import io.llavascale.workers.client.Stores;
import io.llavascale.workers.pool.PoolSelection;
import io.llavascale.workers.pool.WorkerPools;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.TaskQueues;
import io.llavascale.workflows.study.ScalingStudy;
import io.llavascale.workflows.study.StudyCellResult;
import io.llavascale.workflows.study.StudyReport;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU-pool worker (its own JVM) is SIGKILLed while a study's first cell trains stage 2; a new
 * worker picks the attempt up and the study still completes with every cell.
 */
class StudyCrashTest {
  @TempDir static Path home;
  static EmbeddedStack stack;
  static WorkerPools controlAndCpu;
  static ObjectStore store;
  static WorkflowClient client;

  @BeforeAll
  static void startStack() throws Exception {
    stack = EmbeddedStack.start(StackConfig.fromEnv(Map.of(StackConfig.ENV_HOME, home.toString())), 0, 0);
    StackConfig config = stack.config();
    controlAndCpu = WorkerPools.launch(config, PoolSelection.parse("control,cpu"), 2, 1, Duration.ofSeconds(10));
    store = Stores.open(config);
    client = TemporalConnections.client(config);
    Path data = home.resolve("dataset");
    SyntheticDataset.write(data, SyntheticDataset.Options.of(9, 32, 32, 0, 2));
    DatasetUpload.upload(store, data, StudyPipelineTest.DATA);
  }

  @AfterAll
  static void stopStack() {
    controlAndCpu.close();
    stack.close();
  }

  @Test
  void studyCompletesEveryCellAfterItsGpuWorkerIsKilled() throws Exception {
    Process worker = ChildWorker.startGpuWorker(home, "study-worker-killed.log");
    ScalingStudy study = client.newWorkflowStub(ScalingStudy.class,
        WorkflowOptions.newBuilder().setWorkflowId("crash").setTaskQueue(TaskQueues.CONTROL).build());
    WorkflowClient.start(study::run, StudyPipelineTest.miniStudy(store, Map.of("maxSteps", 12)));
    CompletableFuture<StudyReport> result =
        CompletableFuture.supplyAsync(() -> WorkflowStub.fromTyped(study).getResult(StudyReport.class));

    CheckpointStore stage2 = CheckpointStore.forStage(store, "crash-tiny-r224-m0-full-b1", StageNames.TUNE);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (stage2.listCommitted().isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the first cell never committed a stage-2 checkpoint");
      assertTrue(worker.isAlive(), "the GPU worker died by itself; see its log in " + home);
      Thread.sleep(50);
    }
    worker.destroyForcibly().waitFor(); // SIGKILL mid-study

    Process replacement = ChildWorker.startGpuWorker(home, "study-worker-replacement.log");
    try {
      StudyReport report = result.get(10, TimeUnit.MINUTES);
      assertEquals(4, report.cells().size());
      for (StudyCellResult c : report.cells()) {
        assertEquals("completed", c.status(), c.cell() + ": " + c.error());
      }
    } finally {
      replacement.destroyForcibly().waitFor();
    }
  }
}
