package io.llavascale.workflows.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.workflows.spec.PresetCatalog;
import io.llavascale.workflows.stages.CommittedStages;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.StageProgress;
import io.llavascale.workflows.stages.GangRank;
import io.llavascale.workflows.stages.TaskQueues;
import io.llavascale.workflows.stages.TrainRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60) // a workflow task that keeps failing retries for ever: fail the test instead
class LlavaPipelineTest {
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private FakeStages fakes;

  @BeforeAll
  static void warmPresets() {
    PresetCatalog.preload();
  }

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    SearchAttributesKeys.DEFINITIONS.forEach(env::registerSearchAttribute);
    fakes = new FakeStages(env::currentTimeMillis);
    Worker control = env.newWorker(TaskQueues.CONTROL);
    control.registerWorkflowImplementationTypes(LlavaPipelineImpl.class);
    env.newWorker(TaskQueues.CPU).registerActivitiesImplementations(fakes.new Cpu());
    env.newWorker(TaskQueues.gpu("local")).registerActivitiesImplementations(fakes.new Gpu());
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private LlavaPipeline stub(String id) {
    return client.newWorkflowStub(
        LlavaPipeline.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(TaskQueues.CONTROL).build());
  }

  private static Map<String, String> statuses(List<StageStatus> stages) {
    return stages.stream()
        .collect(Collectors.toMap(StageStatus::stage, StageStatus::status, (a, b) -> a, java.util.LinkedHashMap::new));
  }

  private static PipelineProgress awaitProgress(LlavaPipeline wf, Predicate<PipelineProgress> p)
      throws InterruptedException {
    PipelineProgress last = null;
    for (int i = 0; i < 200; i++) {
      last = wf.progress();
      if (p.test(last)) {
        return last;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("progress never matched; last: " + last);
  }

  @Test
  void happyPathRunsEveryStageOnItsQueue() throws Exception {
    PipelineReport report = stub("run-happy").run(Map.of("preset", "tiny-full"));

    assertEquals("run-happy", report.runId());
    assertEquals("s3://llava-runs/runs/run-happy/report.json", report.reportUri());
    assertEquals("tiny-full", report.spec().preset());
    assertEquals(
        List.of(
            "llava-cpu/RecordRunSpec 1",
            "llava-cpu/ReadCommittedStages 1",
            "llava-cpu/DataPrep 1",
            "llava-gpu-local/AlignStage 1",
            "llava-gpu-local/TuneStage 1",
            "llava-gpu-local/Evaluate 1",
            "llava-cpu/WriteRunReport 1"),
        fakes.calls);
    assertEquals(
        Map.of("dataprep", "completed", "stage1", "completed", "stage2", "completed",
            "merge", "skipped", "eval", "completed"),
        statuses(report.stages()));
    StageStatus merge = report.stages().get(3);
    assertEquals("full fine-tuning: nothing to merge", merge.detail());
    assertEquals(0.625, report.eval().exactMatch());

    // Stage 2 starts from stage 1's output; evaluation loads stage 2's output (nothing merged).
    TrainRequest tuneReq =
        fakes.requests.stream().filter(r -> r instanceof TrainRequest t && t.initFrom().length() > 0)
            .map(TrainRequest.class::cast).findFirst().orElseThrow();
    assertEquals(FakeStages.out("run-happy", "stage1"), tuneReq.initFrom());
    assertTrue(fakes.requests.stream().anyMatch(r -> r instanceof io.llavascale.workflows.stages.EvalRequest e
        && e.modelUri().equals(FakeStages.out("run-happy", "stage2"))));

    PipelineProgress p = client.newWorkflowStub(LlavaPipeline.class, "run-happy").progress();
    assertEquals("completed", p.state());
    assertEquals("eval", p.stage());

    SearchAttributes sa =
        client.newUntypedWorkflowStub("run-happy").describe().getTypedSearchAttributes();
    assertEquals("tiny", sa.get(SearchAttributesKeys.MODEL_SIZE));
    assertEquals("full", sa.get(SearchAttributesKeys.TUNING));
    assertEquals(224L, sa.get(SearchAttributesKeys.RESOLUTION));
    assertEquals("done", sa.get(SearchAttributesKeys.STAGE));

    // The history replays against the current code; keep a copy for the stored-history test.
    String history = client.fetchHistory("run-happy").toJson(true);
    WorkflowReplayer.replayWorkflowExecution(history, LlavaPipelineImpl.class);
    Path capture = Path.of("target", "histories", "happy-path.json");
    Files.createDirectories(capture.getParent());
    Files.writeString(capture, history);
  }

  private static final Map<String, Object> TINY_LORA = Map.of("method", "lora", "loraRank", 8, "loraAlpha", 16,
      "loraDropout", 0.05, "targetModules", List.of("q_proj", "k_proj", "v_proj", "o_proj"));

  @Test
  void loraRunMergesAndEvaluatesTheMergedModel() {
    PipelineReport report = stub("run-lora").run(Map.of("preset", "tiny-full", "tuning", TINY_LORA));
    assertEquals("completed", statuses(report.stages()).get("merge"));
    assertEquals(1, fakes.count("MergeLora"));
    assertTrue(fakes.calls.contains("llava-cpu/MergeLora 1"));
    assertTrue(fakes.requests.stream().anyMatch(r -> r instanceof io.llavascale.workflows.stages.EvalRequest e
        && e.modelUri().equals(FakeStages.out("run-lora", "merge"))));
    assertEquals("whole-model", report.merge().verifiedBy(), "the report carries the merge's check");
    assertEquals(2e-6, report.merge().maxAbsDiff());
  }

  @Test
  void aMultiNodeStageRunsAsAGangAndOneFailedRankRetriesTheWholeGang() {
    fakes.rank1Failures.set(1);
    PipelineReport report = stub("run-gang").run(Map.of("preset", "tiny-full",
        "compute", Map.of("backend", "external", "nodes", 2), "stage1", Map.of("batchSize", 8),
        "stage2", Map.of("batchSize", 8)));

    assertEquals("completed", statuses(report.stages()).get("stage2"));
    List<GangRank> ranks = fakes.requests.stream()
        .filter(r -> r instanceof TrainRequest t && t.gang() != null && t.initFrom().contains("stage1"))
        .map(r -> ((TrainRequest) r).gang()).toList();
    assertEquals(4, ranks.size(), "two gangs of two: " + ranks);
    assertEquals(List.of("run-gang-stage2-1", "run-gang-stage2-1", "run-gang-stage2-2", "run-gang-stage2-2"),
        ranks.stream().map(GangRank::rendezvousId).sorted().toList());
    for (GangRank r : ranks) {
      assertEquals(r.rank() == 0 ? "" : "10.0.0.1:29500", r.master(), "the others get rank 0's address");
      assertEquals(r.rendezvousId().endsWith("-2") ? 30 : 0, r.reachedStep(), "the failed gang's step carries on");
    }
    assertTrue(fakes.calls.stream().filter(c -> c.contains("TuneStage")).allMatch(c -> c.endsWith(" 1")),
        "ranks are never retried alone");
  }

  @Test
  void retryableTrainingFailureIsRetriedWithBackoff() {
    fakes.alignFailures.set(2);
    PipelineReport report =
        stub("run-retry")
            .run(Map.of("preset", "tiny-full", "compute", Map.of("gpusPerNode", 32)));

    assertEquals("completed", statuses(report.stages()).get("stage1"));
    assertEquals(3, fakes.count("AlignStage"));
    assertTrue(fakes.calls.contains("llava-gpu-local/AlignStage 3"));
    List<Long> t = fakes.attemptTimes.get("AlignStage");
    // initial interval 1 s, coefficient 2: gaps of about 1 s then 2 s.
    assertTrue(t.get(1) - t.get(0) >= 1000, "first backoff " + (t.get(1) - t.get(0)));
    assertTrue(t.get(2) - t.get(1) >= 2000, "second backoff " + (t.get(2) - t.get(1)));

    // GPU-hours: stage wall time (backoffs included: the GPUs were held) x 32 GPUs.
    StageStatus stage1 = report.stages().get(1);
    assertTrue(stage1.seconds() >= 3, "stage 1 took " + stage1.seconds());
    assertEquals(stage1.seconds() * 32 / 3600, stage1.gpuHours(), 1e-9);
    assertEquals(0, report.stages().get(0).gpuHours(), "data prep is a CPU stage");
    // Table 4's other column: what each stage trained (FakeStages reports 4096).
    assertEquals(4096, stage1.trainableParams());
    assertEquals(4096, report.stages().get(2).trainableParams());
    assertEquals(0, report.stages().get(0).trainableParams());
    assertEquals(0, report.stages().get(4).trainableParams());
    double gpuStages =
        report.stages().get(1).gpuHours() + report.stages().get(2).gpuHours() + report.stages().get(4).gpuHours();
    assertEquals(gpuStages, report.gpuHours(), 1e-9);
  }

  @Test
  void badDatasetFailsTheRunWithoutRetry() {
    fakes.dataPrepFailureType = "BadDataset";
    LlavaPipeline wf = stub("run-bad-data");
    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> wf.run(Map.of("preset", "tiny-full")));

    ActivityFailure af = assertInstanceOf(ActivityFailure.class, e.getCause());
    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, af.getCause());
    assertEquals("BadDataset", cause.getType());
    assertEquals(1, fakes.count("DataPrep"));
    assertEquals(0, fakes.count("AlignStage"));

    PipelineProgress p = wf.progress();
    assertEquals("failed", p.state());
    assertEquals("failed", statuses(p.stages()).get("dataprep"));
    assertTrue(p.stages().get(0).detail().contains("malformed"), p.stages().get(0).detail());
    // The failed run still leaves a report in the ledger.
    assertEquals(1, fakes.reports.size());
  }

  private ApplicationFailure invalid(String id, Map<String, Object> input) {
    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> stub(id).run(input));
    ApplicationFailure af = assertInstanceOf(ApplicationFailure.class, e.getCause());
    assertEquals("InvalidSpec", af.getType());
    assertTrue(af.isNonRetryable());
    assertTrue(fakes.calls.isEmpty(), "no activity may run for an invalid spec: " + fakes.calls);
    return af;
  }

  @Test
  void invalidSpecFailsBeforeAnyActivity() {
    ApplicationFailure negative =
        invalid("run-bad-lr", Map.of("preset", "tiny-full", "stage2", Map.of("learningRate", -0.1)));
    assertTrue(
        negative.getOriginalMessage().contains("stage2.learningRate must be > 0, got -0.1"),
        negative.getOriginalMessage());

    ApplicationFailure preset = invalid("run-bad-preset", Map.of("preset", "llava-99b"));
    assertTrue(preset.getOriginalMessage().contains("unknown preset 'llava-99b'"));
    assertTrue(preset.getOriginalMessage().contains("tiny-full"));

    ApplicationFailure unknown =
        invalid("run-bad-field", Map.of("preset", "tiny-full", "stage2", Map.of("learningrat", 1e-4)));
    assertTrue(
        unknown.getOriginalMessage().contains("unknown field 'stage2.learningrat' (allowed: learningRate,"),
        unknown.getOriginalMessage());
  }

  @Test
  void pauseHoldsBetweenStagesAndResumeFinishes() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    fakes.alignGate = gate;
    LlavaPipeline wf = stub("run-pause");
    WorkflowClient.start(wf::run, Map.<String, Object>of("preset", "tiny-full"));
    assertTrue(fakes.alignStarted.await(10, TimeUnit.SECONDS));

    wf.pause();
    gate.countDown();
    PipelineProgress p =
        awaitProgress(wf, x -> "completed".equals(statuses(x.stages()).get("stage1")));
    assertEquals("paused", p.state());
    assertEquals("pending", statuses(p.stages()).get("stage2"));
    Thread.sleep(200);
    assertEquals(0, fakes.count("TuneStage"), "no stage may start while paused");

    wf.resume();
    PipelineReport report = WorkflowStub.fromTyped(wf).getResult(PipelineReport.class);
    assertEquals("completed", statuses(report.stages()).get("eval"));
    assertEquals("completed", wf.progress().state());
  }

  @Test
  void cancelStopsBeforeTheNextStage() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    fakes.alignGate = gate;
    LlavaPipeline wf = stub("run-cancel");
    WorkflowClient.start(wf::run, Map.<String, Object>of("preset", "tiny-full"));
    assertTrue(fakes.alignStarted.await(10, TimeUnit.SECONDS));

    wf.cancel("wrong learning rate");
    gate.countDown();
    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> WorkflowStub.fromTyped(wf).getResult(PipelineReport.class));
    ApplicationFailure af = assertInstanceOf(ApplicationFailure.class, e.getCause());
    assertEquals("Cancelled", af.getType());
    assertTrue(af.getOriginalMessage().contains("wrong learning rate"));
    PipelineReport partial = af.getDetails().get(PipelineReport.class);
    assertEquals(FakeStages.out("run-cancel", "stage1"), partial.align().outputUri());

    assertEquals(0, fakes.count("TuneStage"));
    PipelineProgress p = wf.progress();
    assertEquals("cancelled", p.state());
    assertEquals(
        Map.of("dataprep", "completed", "stage1", "completed", "stage2", "cancelled",
            "merge", "cancelled", "eval", "cancelled"),
        statuses(p.stages()));
    assertEquals(1, fakes.reports.size(), "the partial report goes to the ledger");
  }

  @Test
  void cancelWhilePausedEndsTheRun() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    fakes.alignGate = gate;
    LlavaPipeline wf = stub("run-pause-cancel");
    WorkflowClient.start(wf::run, Map.<String, Object>of("preset", "tiny-full"));
    assertTrue(fakes.alignStarted.await(10, TimeUnit.SECONDS));
    wf.pause();
    gate.countDown();
    awaitProgress(wf, x -> "completed".equals(statuses(x.stages()).get("stage1")));

    wf.cancel("");
    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> WorkflowStub.fromTyped(wf).getResult(PipelineReport.class));
    ApplicationFailure af = assertInstanceOf(ApplicationFailure.class, e.getCause());
    assertEquals("Cancelled", af.getType());
    assertTrue(af.getOriginalMessage().contains("no reason given"), af.getOriginalMessage());
    assertEquals(0, fakes.count("TuneStage"));
    assertEquals("cancelled", wf.progress().state());
  }

  @Test
  void temporalCancelRequestEndsTheRunCanceled() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    fakes.alignGate = gate;
    LlavaPipeline wf = stub("run-native-cancel");
    WorkflowClient.start(wf::run, Map.<String, Object>of("preset", "tiny-full"));
    assertTrue(fakes.alignStarted.await(10, TimeUnit.SECONDS));

    WorkflowStub.fromTyped(wf).cancel(); // the UI's "Cancel" button
    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> WorkflowStub.fromTyped(wf).getResult(PipelineReport.class));
    assertInstanceOf(io.temporal.failure.CanceledFailure.class, e.getCause());
    gate.countDown();
    PipelineProgress p = wf.progress();
    assertEquals("cancelled", p.state());
    assertEquals("cancelled", statuses(p.stages()).get("stage1"));
    assertEquals("cancelled", statuses(p.stages()).get("eval"));
    assertEquals(1, fakes.reports.size(), "the partial report is written from a detached scope");
  }

  @Test
  void progressQueryShowsLiveStageProgressAndGpuHours() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    fakes.alignGate = gate;
    LlavaPipeline wf = stub("run-progress");
    WorkflowClient.start(wf::run, Map.<String, Object>of("preset", "tiny-full"));
    assertTrue(fakes.alignStarted.await(10, TimeUnit.SECONDS));

    String ckpt = "s3://llava-runs/runs/run-progress/stage1/ckpt/step-00000050/";
    wf.reportProgress(new StageProgress("stage1", 60, 120, 2.5, 1e-4, 900, 42, ckpt));
    // A late signal from another stage must not overwrite the live one.
    wf.reportProgress(new StageProgress("dataprep:tokenize", 1, 1, 0, 0, 0, 0, ""));

    PipelineProgress p = awaitProgress(wf, x -> x.step() == 60);
    assertEquals("running", p.state());
    assertEquals("stage1", p.stage());
    assertEquals(120, p.totalSteps());
    assertEquals(2.5, p.loss());
    assertEquals(42, p.etaSeconds());
    assertEquals(ckpt, p.lastCheckpoint());
    assertEquals("running", statuses(p.stages()).get("stage1"));
    assertTrue(p.gpuHours() >= 0);

    gate.countDown();
    PipelineReport report = WorkflowStub.fromTyped(wf).getResult(PipelineReport.class);
    assertEquals("completed", wf.progress().state());
    assertEquals("120 steps, final loss 1.2500", report.stages().get(1).detail());
  }

  @Test
  void resumeReusesCommittedStages() {
    fakes.committed =
        new CommittedStages(
            FakeStages.data("run-old"), FakeStages.train("run-old", "stage1"), null, null, null);
    PipelineReport report =
        stub("run-new").run(Map.of("preset", "tiny-full", "resumeFrom", "run-old"));

    assertEquals("run-old", report.runId());
    assertEquals(0, fakes.count("DataPrep"));
    assertEquals(0, fakes.count("AlignStage"));
    assertEquals(1, fakes.count("TuneStage"));
    assertEquals(
        Map.of("dataprep", "reused", "stage1", "reused", "stage2", "completed",
            "merge", "skipped", "eval", "completed"),
        statuses(report.stages()));
    TrainRequest tune = (TrainRequest) fakes.requests.get(0);
    assertEquals("run-old", tune.runId());
    assertEquals(FakeStages.out("run-old", "stage1"), tune.initFrom());
    assertTrue(fakes.ledgerRunIds.stream().allMatch("run-old"::equals));
  }

  @Test
  void startsByTypeNameWithRawJsonLikeTheCli() throws Exception {
    // What `temporal workflow start --type LlavaPipeline --task-queue llava-control --input '...'` sends.
    String json = "{\"preset\": \"tiny-full\", \"eval\": {\"beams\": 5}, \"stage2\": {\"maxSteps\": 10}}";
    WorkflowStub untyped =
        client.newUntypedWorkflowStub(
            "LlavaPipeline",
            WorkflowOptions.newBuilder().setWorkflowId("run-cli").setTaskQueue(TaskQueues.CONTROL).build());
    untyped.start(new ObjectMapper().readTree(json));
    PipelineReport report = untyped.getResult(PipelineReport.class);

    assertEquals(5, report.spec().eval().beams());
    assertEquals(10, report.spec().stage2().maxSteps());
    assertEquals(PresetCatalog.spec("tiny-full").stage2().epochs(), report.spec().stage2().epochs(), "the rest comes from the preset");
    assertEquals("completed", statuses(report.stages()).get(StageNames.EVALUATE));
  }

  @Test
  void eachCronFiringIsItsOwnRun() {
    // What `llava schedule create ID --cron-workflow` starts: all firings share the workflow id.
    WorkflowStub cron =
        client.newUntypedWorkflowStub(
            "LlavaPipeline",
            WorkflowOptions.newBuilder().setWorkflowId("nightly").setTaskQueue(TaskQueues.CONTROL)
                .setCronSchedule("* * * * *").build());
    cron.start(Map.of("preset", "tiny-full"));
    while (fakes.reports.size() < 2) {
      env.sleep(java.time.Duration.ofMinutes(1)); // time skipping: the next firing comes at once
    }
    cron.terminate("test done");

    List<String> runIds = fakes.reports.stream().map(PipelineReport::runId).toList();
    assertTrue(runIds.size() >= 2, "firings: " + runIds);
    assertEquals(runIds.size(), new java.util.HashSet<>(runIds).size(), "every firing its own run id: " + runIds);
    assertTrue(runIds.stream().allMatch(id -> id.matches("nightly-\\d{8}-\\d{6}")), runIds.toString());
    // The ledger was only ever asked about the firings' own ids, never the shared workflow id.
    assertTrue(fakes.ledgerRunIds.stream().noneMatch("nightly"::equals), fakes.ledgerRunIds.toString());
  }
}
