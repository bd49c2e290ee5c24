package io.llavascale.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.ledger.StudyLedgerActivityImpl;
import io.llavascale.activities.report.ReportFiles;
import io.llavascale.activities.report.Reports;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.StorePaths;
import io.llavascale.infra.config.EmbeddedStack;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.workers.client.DatasetUpload;
import io.llavascale.workers.client.DemoDataset;
import io.llavascale.workers.client.Stores;
import io.llavascale.workers.pool.PoolSelection;
import io.llavascale.workers.pool.WorkerPools;
import io.llavascale.workflows.pipeline.StageStatus;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.TaskQueues;
import io.llavascale.workflows.study.ScalingStudy;
import io.llavascale.workflows.study.StudyCellResult;
import io.llavascale.workflows.study.StudyReport;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * studies/mini.yaml (2 sizes x 2 tunings) on the embedded stack with in-process workers and a few
 * steps per stage: stage 1 trains once per size, every cell completes on top of it, and
 * study.json holds every cell.
 */
class StudyPipelineTest {
  static final String DATA = "datasets/study/";

  @TempDir static Path home;
  static EmbeddedStack stack;
  static WorkerPools workers;
  static ObjectStore store;
  static WorkflowClient client;

  @BeforeAll
  static void startStack() throws Exception {
    stack = EmbeddedStack.start(StackConfig.fromEnv(Map.of(StackConfig.ENV_HOME, home.toString())), 0, 0);
    StackConfig config = stack.config();
    workers = WorkerPools.launch(config, PoolSelection.parse(PoolSelection.ALL_LOCAL), 2, 2, Duration.ofSeconds(10));
    store = Stores.open(config);
    client = TemporalConnections.client(config);
    Path data = home.resolve("dataset");
    SyntheticDataset.write(data, SyntheticDataset.Options.of(9, 32, 32, 0, 2));
    DatasetUpload.upload(store, data, DATA);
  }

  @AfterAll
  static void stopStack() {
    workers.close();
    stack.close();
  }

  /** The shipped mini study on the test's dataset, with a few steps per stage. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> miniStudy(ObjectStore store, Map<String, Object> stage2) throws Exception {
    Map<String, Object> study = new ObjectMapper(new YAMLFactory()).readValue(Path.of("../studies/mini.yaml").toFile(), LinkedHashMap.class);
    Map<String, Object> overrides = new LinkedHashMap<>((Map<String, Object>) study.get("overrides"));
    overrides.put("data", DemoDataset.dataSection(store, DATA, false));
    overrides.put("stage1", Map.of("maxSteps", 4));
    overrides.put("stage2", stage2);
    overrides.put("checkpoint", Map.of("everySteps", 3, "keep", 2));
    study.put("overrides", overrides);
    return study;
  }

  @Test
  void miniStudyTrainsStageOneOncePerSizeAndCompletesEveryCell() throws Exception {
    ScalingStudy study = client.newWorkflowStub(ScalingStudy.class,
        WorkflowOptions.newBuilder().setWorkflowId("mini").setTaskQueue(TaskQueues.CONTROL).build());
    StudyReport report = study.run(miniStudy(store, Map.of("maxSteps", 6)));

    assertEquals(List.of("tiny-r224-m0-full-b1", "tiny-r224-m0-lora-b1", "tiny-s-r224-m0-full-b1", "tiny-s-r224-m0-lora-b1"),
        report.cells().stream().map(StudyCellResult::cell).toList());
    for (StudyCellResult c : report.cells()) {
      assertEquals("completed", c.status(), c.cell() + ": " + c.error());
      Map<String, String> stages = new LinkedHashMap<>();
      c.report().stages().forEach(s -> stages.put(s.stage(), s.status()));
      assertEquals("reused", stages.get(StageNames.DATA_PREP), c.cell());
      assertEquals("reused", stages.get(StageNames.ALIGN), c.cell());
      assertEquals("completed", stages.get(StageNames.TUNE), c.cell());
      assertEquals("completed", stages.get(StageNames.EVALUATE), c.cell());
      // Nothing of stage 1 or data prep was written under the cell's own id.
      assertTrue(store.list(StorePaths.stageRoot(c.runId(), StageNames.ALIGN)).isEmpty(), c.cell());
      assertTrue(store.list(StorePaths.stageRoot(c.runId(), StageNames.DATA_PREP)).isEmpty(), c.cell());
      assertTrue(c.report().eval().questions() > 0);
    }
    // Stage 1 ran once per size, data prep once.
    for (String size : List.of("tiny", "tiny-s")) {
      assertTrue(store.size(StorePaths.stageRoot("mini-align-" + size + "-r224-m0", StageNames.ALIGN) + "output/MANIFEST.json")
          .isPresent(), size);
    }
    assertTrue(store.size(StorePaths.stageRoot("mini-data-r224-m0", StageNames.DATA_PREP) + "output/MANIFEST.json").isPresent());

    JsonNode json = new ObjectMapper().readTree(store.getBytes(StudyLedgerActivityImpl.reportKey("mini")));
    assertEquals(4, json.get("cells").size());
    assertEquals(report.reportUri(), json.get("reportUri").asText());
    assertTrue(json.get("gpuHours").asDouble() > 0);
    StageStatus stage1 = report.cells().get(0).report().stages().get(1);
    assertTrue(stage1.detail().startsWith("shared from run mini-align-tiny-r224-m0"), stage1.detail());

    // The study's HTML report was published next to study.json and names every cell.
    String index = new String(store.getBytes(StorePaths.studyRoot("mini") + Reports.FOLDER + ReportFiles.INDEX),
        StandardCharsets.UTF_8);
    for (StudyCellResult c : report.cells()) {
      assertTrue(index.contains(c.cell()), c.cell());
    }
  }
}
