package io.llavascale.workflows.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.workflows.pipeline.LlavaPipelineImpl;
import io.llavascale.workflows.pipeline.SearchAttributesKeys;
import io.llavascale.workflows.pipeline.StageStatus;
import io.llavascale.workflows.spec.PresetCatalog;
import io.llavascale.workflows.stages.EvalRequest;
import io.llavascale.workflows.stages.TaskQueues;
import io.llavascale.workflows.stages.TrainRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60) // a workflow task that keeps failing retries for ever: fail the test instead
class ScalingStudyTest {
  private static final List<String> CELLS = List.of(
      "tiny-r224-m0-full-b1", "tiny-r224-m0-lora-b1", "tiny-s-r224-m0-full-b1", "tiny-s-r224-m0-lora-b1");

  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private StudyFakes fakes;

  @BeforeAll
  static void warmPresets() {
    PresetCatalog.preload();
  }

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    SearchAttributesKeys.DEFINITIONS.forEach(env::registerSearchAttribute);
    fakes = new StudyFakes();
    Worker control = env.newWorker(TaskQueues.CONTROL);
    control.registerWorkflowImplementationTypes(ScalingStudyImpl.class, LlavaPipelineImpl.class);
    env.newWorker(TaskQueues.CPU).registerActivitiesImplementations(fakes.new Cpu());
    env.newWorker(TaskQueues.gpu("local")).registerActivitiesImplementations(fakes.new Gpu());
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  /** 2 sizes (the preset's tiny and a smaller variant) x 2 tunings. */
  static Map<String, Object> study(int maxConcurrent) {
    Map<String, Object> lora = Map.of("value", "lora", "overrides", Map.of("tuning", Map.of(
        "loraRank", 8, "loraAlpha", 16, "loraDropout", 0.05, "targetModules", List.of("q_proj", "v_proj"))));
    Map<String, Object> small = Map.of("value", "tiny-s", "overrides", Map.of("model", Map.of("hidden", 64, "layers", 1)));
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("name", "mini");
    s.put("base", "tiny-full");
    s.put("seed", 7);
    s.put("overrides", Map.of("stage2", Map.of("maxSteps", 10)));
    s.put("grid", Map.of("sizes", List.of("tiny", small), "tunings", List.of("full", lora)));
    s.put("maxConcurrent", Map.of("local", maxConcurrent));
    return s;
  }

  private ScalingStudy stub(String id) {
    return client.newWorkflowStub(
        ScalingStudy.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(TaskQueues.CONTROL).build());
  }

  private static Map<String, String> statuses(List<StageStatus> stages) {
    return stages.stream().collect(Collectors.toMap(StageStatus::stage, StageStatus::status));
  }

  /** docs/temporal-cli.md's study input, started by type name with exactly that JSON, as `temporal workflow start` sends it. */
  @Test
  void theDocumentedStudyInputStartsByTypeName() throws Exception {
    JsonNode input = new ObjectMapper().readTree(Path.of("..", "docs", "temporal-cli", "study-tiny-grid.json").toFile());
    WorkflowStub study = client.newUntypedWorkflowStub(ScalingStudy.WORKFLOW_TYPE,
        WorkflowOptions.newBuilder().setWorkflowId("doc-study").setTaskQueue(TaskQueues.CONTROL).build());
    study.start(input);
    StudyReport report = study.getResult(StudyReport.class);

    assertEquals("tiny-grid", report.name());
    assertEquals(CELLS, report.cells().stream().map(StudyCellResult::cell).toList());
    assertTrue(report.cells().stream().allMatch(c -> c.status().equals("completed")), report.cells().toString());
    assertEquals(2, fakes.count("AlignStage"), "stage 1 once per size");
  }

  /** A cron study (`llava schedule create --cron-workflow`): each firing its own study id and cells. */
  @Test
  void eachCronFiringIsItsOwnStudy() {
    WorkflowStub cron = client.newUntypedWorkflowStub(ScalingStudy.WORKFLOW_TYPE,
        WorkflowOptions.newBuilder().setWorkflowId("weekly").setTaskQueue(TaskQueues.CONTROL)
            .setCronSchedule("* * * * *").build());
    cron.start(study(2));
    while (fakes.studyReports.size() < 2) {
      env.sleep(java.time.Duration.ofMinutes(1)); // time skipping: the next firing comes at once
    }
    cron.terminate("test done");

    List<String> ids = fakes.studyReports.stream().map(StudyReport::studyId).toList();
    assertEquals(ids.size(), new java.util.HashSet<>(ids).size(), "every firing its own study id: " + ids);
    assertTrue(ids.stream().allMatch(id -> id.matches("weekly-\\d{8}-\\d{6}")), ids.toString());
    // Each firing trained its own cells: stage 2 ran 4 times per firing, nothing reused across firings.
    assertTrue(fakes.count("TuneStage") >= 8, fakes.calls.toString());
  }

  @Test
  void beamWidthsEvaluateOneSharedStageTwo() {
    Map<String, Object> spec = new LinkedHashMap<>(study(2));
    spec.put("grid", Map.of("tunings", List.of("full", ((List<?>) ((Map<?, ?>) study(2).get("grid")).get("tunings")).get(1)),
        "beams", List.of(1, 5)));
    StudyReport report = stub("sb").run(spec);

    assertEquals(2, fakes.count("TuneStage"), "one stage 2 per tuning, not per beam width");
    assertEquals(1, fakes.count("MergeLora"));
    assertEquals(4, fakes.count("Evaluate"));
    for (StudyCellResult c : report.cells()) {
      assertEquals("completed", c.status(), c.cell());
      Map<String, String> stages = statuses(c.report().stages());
      assertEquals(c.beams() == 1 ? "completed" : "reused", stages.get("stage2"), c.cell());
      if (c.beams() == 5) {
        assertTrue(c.report().stages().get(2).detail().startsWith("shared from run sb-" + c.cell().replace("-b5", "-b1")),
            c.report().stages().get(2).detail());
        assertEquals(c.tuning().equals("lora") ? "reused" : "skipped", stages.get("merge"), c.cell());
      }
    }
    assertTrue(fakes.requests.stream().anyMatch(r -> r instanceof EvalRequest e && e.spec().eval().beams() == 5
        && e.modelUri().equals(StudyFakes.out("sb-tiny-r224-m0-lora-b1", "merge"))), "beam 5 answers with b1's merge");
  }

  @Test
  void gridSharesDataPrepAndStageOneAndReportsEveryCell() {
    StudyReport report = stub("st").run(study(2));

    assertEquals(1, fakes.count("DataPrep"), "one data prep for the one resolution and mix");
    assertEquals(2, fakes.count("AlignStage"), "stage 1 once per size");
    assertTrue(fakes.calls.contains("AlignStage st-align-tiny-r224-m0"));
    assertTrue(fakes.calls.contains("AlignStage st-align-tiny-s-r224-m0"));
    assertEquals(4, fakes.count("TuneStage"));
    assertEquals(2, fakes.count("MergeLora"), "the two lora cells merge");
    assertEquals(4, fakes.count("Evaluate"));
    assertTrue(fakes.maxInFlight.get() <= 2, "at most 2 children at once, saw " + fakes.maxInFlight.get());

    assertEquals("st", report.studyId());
    assertEquals("mini", report.name());
    assertEquals("s3://llava-runs/studies/st/study.json", report.reportUri());
    assertEquals(CELLS, report.cells().stream().map(StudyCellResult::cell).toList());
    for (StudyCellResult c : report.cells()) {
      assertEquals("completed", c.status(), c.cell());
      assertEquals("", c.error());
      assertEquals("st-" + c.cell(), c.runId());
      assertEquals(224, c.resolution());
      assertEquals(0.0, c.mixRatio());
      assertEquals(1, c.beams());
      assertEquals(0.625, c.report().eval().exactMatch());
      assertEquals("reused", statuses(c.report().stages()).get("dataprep"));
      assertEquals("reused", statuses(c.report().stages()).get("stage1"));
      assertTrue(c.report().stages().get(1).detail().startsWith("shared from run st-align-" + c.modelSize() + "-r224-m0"),
          c.report().stages().get(1).detail());
    }
    assertEquals("tiny-s", report.cells().get(3).modelSize());
    assertEquals("lora", report.cells().get(3).tuning());
    assertEquals(1, fakes.studyReports.size(), "study.json written once");

    // Stage 2 of a cell starts from its size's shared stage 1 and trains on the shared data prep.
    for (String cell : CELLS) {
      TrainRequest tune = fakes.requests.stream()
          .filter(r -> r instanceof TrainRequest t && t.runId().equals("st-" + cell))
          .map(TrainRequest.class::cast).findFirst().orElseThrow();
      String size = cell.startsWith("tiny-s-") ? "tiny-s" : "tiny";
      assertEquals(StudyFakes.out("st-align-" + size + "-r224-m0", "stage1"), tune.initFrom());
      assertEquals(StudyFakes.out("st-data-r224-m0", "dataprep"), tune.data().outputUri());
      assertEquals(cell.startsWith("tiny-s-") ? 64 : 128, tune.spec().model().hidden());
      assertEquals(7, tune.spec().seed());
    }

    StudyProgress p = client.newWorkflowStub(ScalingStudy.class, "st").progress();
    assertEquals("completed", p.state());
    assertEquals(7, p.runs().size(), "1 data prep, 2 stage-1 runs, 4 cells");
    assertTrue(p.runs().stream().allMatch(r -> r.status().equals("completed")), p.runs().toString());
    assertEquals(List.of("data", "align", "align", "cell", "cell", "cell", "cell"),
        p.runs().stream().map(StudyRunState::kind).toList());
  }

  @Test
  void failedCellIsReportedOthersFinishAndARestartRedoesOnlyIt() {
    fakes.failTuneOf = "sf-tiny-s-r224-m0-lora-b1";
    StudyReport report = stub("sf").run(study(2));

    assertEquals(CELLS, report.cells().stream().map(StudyCellResult::cell).toList());
    StudyCellResult failed = report.cells().get(3);
    assertEquals("failed", failed.status());
    assertTrue(failed.error().contains("TrainingDiverged: loss diverged at step 3"), failed.error());
    assertNull(failed.report());
    for (StudyCellResult c : report.cells().subList(0, 3)) {
      assertEquals("completed", c.status(), c.cell() + ": " + c.error());
    }
    assertEquals(1, fakes.studyReports.size(), "the study completes and writes its report with the failure");

    // Restart under the same id: committed child outputs are reused, only the failed cell trains again.
    fakes.failTuneOf = "";
    long tunesBefore = fakes.count("TuneStage");
    StudyReport again = stub("sf").run(study(2));
    assertTrue(again.cells().stream().allMatch(c -> c.status().equals("completed")), again.cells().toString());
    assertEquals(1, fakes.count("DataPrep"));
    assertEquals(2, fakes.count("AlignStage"));
    assertEquals(tunesBefore + 1, fakes.count("TuneStage"));
    assertEquals("reused", statuses(again.cells().get(0).report().stages()).get("stage2"));
    assertEquals("completed", statuses(again.cells().get(3).report().stages()).get("stage2"));
  }

  @Test
  void failedSharedStageOneFailsOnlyTheCellsOnTopOfIt() {
    fakes.failAlignOf = "sx-align-tiny-r224-m0";
    StudyReport report = stub("sx").run(study(1));

    Map<String, StudyCellResult> cells = report.cells().stream()
        .collect(Collectors.toMap(StudyCellResult::cell, c -> c));
    for (String cell : List.of("tiny-r224-m0-full-b1", "tiny-r224-m0-lora-b1")) {
      assertEquals("failed", cells.get(cell).status());
      assertTrue(cells.get(cell).error().startsWith("shared run sx-align-tiny-r224-m0 failed: "), cells.get(cell).error());
    }
    for (String cell : List.of("tiny-s-r224-m0-full-b1", "tiny-s-r224-m0-lora-b1")) {
      assertEquals("completed", cells.get(cell).status(), cells.get(cell).error());
    }
    assertEquals(2, fakes.count("TuneStage"), "cells of a failed stage 1 never start");
    assertEquals(1, fakes.maxInFlight.get(), "maxConcurrent 1: one child at a time");
  }

  @Test
  void progressShowsEachRunWhileTheStudyRuns() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    fakes.alignGate = gate;
    ScalingStudy wf = stub("sp");
    WorkflowClient.start(wf::run, study(1));
    assertTrue(fakes.alignStarted.await(10, TimeUnit.SECONDS));

    StudyProgress p = wf.progress();
    assertEquals("running", p.state());
    assertEquals("mini", p.name());
    Map<String, String> byName = p.runs().stream()
        .collect(Collectors.toMap(StudyRunState::name, StudyRunState::status, (a, b) -> a, LinkedHashMap::new));
    assertEquals("completed", byName.get("data-r224-m0"));
    assertEquals("running", byName.get("align-tiny-r224-m0"));
    assertEquals("pending", byName.get("align-tiny-s-r224-m0"), "maxConcurrent 1 holds the second stage-1 run");
    CELLS.forEach(c -> assertEquals("pending", byName.get(c), c));
    StudyRunState cell = p.runs().stream().filter(r -> r.name().equals("tiny-s-r224-m0-lora-b1")).findFirst().orElseThrow();
    assertEquals("sp-tiny-s-r224-m0-lora-b1", cell.runId());
    assertEquals("tiny-s", cell.modelSize());
    assertEquals("lora", cell.tuning());

    gate.countDown();
    StudyReport report = WorkflowStub.fromTyped(wf).getResult(StudyReport.class);
    assertEquals(4, report.cells().size());
    assertEquals(1, fakes.maxInFlight.get(), "maxConcurrent 1: one child at a time");
  }

  @Test
  void invalidStudyFailsBeforeAnyChild() {
    Map<String, Object> bad = study(2);
    bad.put("grid", Map.of("sizes", List.of("tiny"), "tunings", List.of("full", "lorax")));
    WorkflowFailedException e = assertThrows(WorkflowFailedException.class, () -> stub("bad").run(bad));
    ApplicationFailure af = assertInstanceOf(ApplicationFailure.class, e.getCause());
    assertEquals("InvalidSpec", af.getType());
    assertTrue(af.getOriginalMessage().contains("grid.tunings[1] must be one of full, lora, qlora, got 'lorax'"),
        af.getOriginalMessage());
    assertTrue(fakes.calls.isEmpty(), fakes.calls.toString());
  }
}
