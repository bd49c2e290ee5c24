package io.llavascale.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.activities.ledger.RunLedgerActivityImpl;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.StageMetrics;
import io.llavascale.infra.config.EmbeddedStack;
import io.llavascale.infra.config.StackConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.llavascale.workers.client.Stores;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.pipeline.StageStatus;
import io.llavascale.workflows.spec.PresetCatalog;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.stages.EvalResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a person sees from the CLI: listings, and one clear line for every bad input. */
class LlavaCliTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;

  @BeforeEach
  void capture() {
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
  }

  private int run(String... args) {
    return LlavaCli.execute(args);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void presetsListThePapersConfigurationsAndTheTinyOnes() {
    assertEquals(0, run("presets"));
    assertTrue(stdout().contains("tiny-full"), stdout());
    assertTrue(stdout().contains("llava-65b-lora-r64-336"), stdout());
    assertEquals(0, run("presets", "llava-33b-qlora-r64-336"));
    assertTrue(stdout().contains("method: \"qlora\""), stdout());
  }

  @Test
  void unknownPresetNamesTheKnownOnes() {
    assertEquals(2, run("presets", "llava-12b"));
    assertTrue(stderr().contains("unknown preset 'llava-12b'; known: tiny-full"), stderr());
  }

  @Test
  void invalidSpecFileListsEveryFieldAtFault() throws Exception {
    Path spec = Files.writeString(dir.resolve("bad.yaml"), """
        preset: tiny-full
        stage2:
          learningRate: -0.1
          learningrat: 1
        """);
    assertEquals(2, run("start", "-f", spec.toString(), "--home", dir.toString()));
    assertTrue(stderr().contains("stage2.learningRate must be > 0, got -0.1"), stderr());
    assertTrue(stderr().contains("unknown field 'stage2.learningrat'"), stderr());
  }

  @Test
  void malformedSpecFileSaysSo() throws Exception {
    Path spec = Files.writeString(dir.resolve("broken.json"), "{\"preset\": \"tiny-full\",");
    assertEquals(2, run("start", "-f", spec.toString()));
    assertTrue(stderr().contains("is not valid YAML or JSON"), stderr());
  }

  @Test
  void badOverrideSyntaxIsExplained() {
    assertEquals(2, run("start", "--preset", "tiny-full", "--set", "stage2.learningRate"));
    assertTrue(stderr().contains("expected path=value"), stderr());
  }

  @Test
  void commandsThatNeedAStackSayHowToGetOne() {
    assertEquals(2, run("status", "some-run", "--home", dir.toString()));
    assertTrue(stderr().contains("llava dev"), stderr());
  }

  @Test
  void badPoolNameIsRejectedWithTheAllowedOnes() {
    assertEquals(2, run("worker", "--pools", "cpu,tpu", "--home", dir.toString()));
    assertTrue(stderr().contains("unknown pool 'tpu'"), stderr());
  }

  @Test
  void statusOfAnUnknownRunOnARunningStackSaysSo() {
    try (EmbeddedStack stack = EmbeddedStack.start(StackConfig.fromEnv(Map.of(StackConfig.ENV_HOME, dir.toString())), 0, 0)) {
      assertEquals(2, run("status", "no-such-run", "--home", dir.toString()));
      assertTrue(stderr().contains("no run no-such-run"), stderr());
      assertEquals(2, run("resume", "no-such-run", "--home", dir.toString()));
      assertTrue(stderr().contains("has no spec.json"), stderr());
    }
  }

  @Test
  void scheduleOnTheDevServerOffersTheCronWorkflowForm() {
    try (EmbeddedStack stack = EmbeddedStack.start(StackConfig.fromEnv(Map.of(StackConfig.ENV_HOME, dir.toString())), 0, 0)) {
      String home = dir.toString();
      assertEquals(2, run("schedule", "create", "nightly", "--preset", "tiny-full", "--cron", "0 2 * * *", "--home", home));
      assertTrue(stderr().contains("no Schedules API") && stderr().contains("--cron-workflow"), stderr());
      assertEquals(2, run("schedule", "list", "--home", home));
      assertEquals(2, run("schedule", "create", "nightly", "--preset", "tiny-full", "--every", "PT1H", "--cron-workflow", "--home", home));
      assertTrue(stderr().contains("--cron EXPR only"), stderr());
      assertEquals(0, run("schedule", "create", "nightly", "--preset", "tiny-full", "--cron", "0 2 * * *", "--cron-workflow", "--home", home));
      assertTrue(stdout().contains("started cron workflow nightly"), stdout());
      assertEquals(0, run("schedule", "delete", "nightly", "--cron-workflow", "--home", home));
      assertTrue(stdout().contains("cron workflow nightly ended"), stdout());
    }
  }

  @Test
  void benchMergeRunsAtToySizeAndChecksItsOptions() throws Exception {
    assertEquals(0, run("bench", "merge", "--size-gb", "0.002", "--hidden", "64", "--rank", "4", "--shard-gb", "0.001",
        "--dir", dir.toString(), "--json"));
    com.fasterxml.jackson.databind.JsonNode result = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stdout());
    assertTrue(result.get("verified").asBoolean(), stdout());
    assertTrue(result.get("files").asInt() > 2, "sharded output: " + stdout());
    assertTrue(result.get("cpSeconds").asDouble() > 0 && result.get("mergeSeconds").asDouble() > 0, stdout());
    assertTrue(result.get("peakBufferBytes").asLong() <= 3 * result.get("largestTensorBytes").asLong(), stdout());
    try (var left = Files.list(dir)) {
      assertEquals(0, left.count(), "the temporary folder is removed");
    }

    assertEquals(2, run("bench", "merge", "--dtype", "I64"));
    assertTrue(stderr().contains("--dtype must be F16, BF16 or F32, got I64"), stderr());
  }

  /** When Temporal has forgotten a run, status reads its report.json and shows Table 4's columns. */
  @Test
  void statusOfAFinishedRunShowsGpuHoursAndTrainableParametersFromTheReport() {
    try (EmbeddedStack stack = EmbeddedStack.start(StackConfig.fromEnv(Map.of(StackConfig.ENV_HOME, dir.toString())), 0, 0)) {
      RunSpec spec = PresetCatalog.spec("tiny-full");
      List<StageStatus> stages = List.of(
          new StageStatus("dataprep", "completed", 10, 0, 0, "6000 of 6003 records kept"),
          new StageStatus("stage1", "completed", 7.2, 0.002, 16_512, "150 steps"),
          new StageStatus("stage2", "completed", 360, 0.1, 1_234_567, "2200 steps"),
          new StageStatus("merge", "skipped", 0, 0, 0, "full fine-tuning: nothing to merge"),
          new StageStatus("eval", "completed", 36, 0.01, 0, "230 questions"));
      new RunLedgerActivityImpl(Stores.open(stack.config())).writeReport("done-run",
          new PipelineReport("done-run", spec, stages, null, null, null, null, null, 0.112, ""));

      assertEquals(0, run("status", "done-run", "--home", dir.toString()));
      String shown = stdout();
      assertTrue(shown.contains("done-run: finished; report s3://"), shown);
      assertTrue(shown.matches("(?s).*stage2 +completed +360\\.0 +0\\.1000 +1\\.23M +2200 steps.*"), shown);
      assertTrue(shown.matches("(?s).*total +413\\.2 +0\\.1120.*"), shown);
      assertTrue(shown.contains("Table 4: stage 2 full, 1.23M trainable parameters, 0.1000 GPU-hours"
          + " (0.1000 per node; 1 node x 1 GPU)"), shown);
    }
  }

  /** `llava report` on a run whose report.json and metrics.jsonl are in the bucket (no training needed). */
  @Test
  void reportWritesAnOfflineFolderFromTheBucket() throws Exception {
    try (EmbeddedStack stack = EmbeddedStack.start(StackConfig.fromEnv(Map.of(StackConfig.ENV_HOME, dir.toString())), 0, 0)) {
      ObjectStore store = Stores.open(stack.config());
      EvalResult eval = new EvalResult("s3://b/runs/r/eval/output/", "", 4, 0.75, Map.of("color", 1.0, "shape", 0.5),
          2, 1, null, null, null);
      List<StageStatus> stages = List.of(
          new StageStatus("stage1", "completed", 7.2, 0.002, 16_512, "6 steps"),
          new StageStatus("stage2", "completed", 360, 0.1, 1_234_567, "6 steps"));
      for (String stage : List.of("stage1", "stage2")) {
        StageMetrics metrics = StageMetrics.resume(store, "reported-run", stage, 0);
        for (int step = 1; step <= 6; step++) {
          metrics.record(step, 2.0 - step * 0.1, 1e-3);
        }
        metrics.upload();
      }
      new RunLedgerActivityImpl(store).writeReport("reported-run", new PipelineReport("reported-run",
          PresetCatalog.spec("tiny-full"), stages, null, null, null, null, eval, 0.102, ""));
      assertTrue(store.size("runs/reported-run/report/index.html").isPresent(), "the run's copy in S3");

      Path out = dir.resolve("out");
      assertEquals(0, run("report", "reported-run", "--home", dir.toString(), "--out", out.toString()));
      assertTrue(stdout().contains("run reported-run: 1 run, 3 plots, written to " + out), stdout());
      assertTrue(stdout().contains("xdg-open " + out.resolve("index.html")), stdout());
      String html = Files.readString(out.resolve("index.html"));
      for (String plot : List.of("plots/loss-stage1.svg", "plots/loss-stage2.svg", "plots/categories-exact-match.svg")) {
        assertTrue(html.contains("<img src=\"" + plot + "\""), plot);
        assertTrue(Files.readString(out.resolve(plot)).contains("<svg xmlns=\"http://www.w3.org/2000/svg\""), plot);
      }
      assertTrue(Files.readString(out.resolve("cells.csv")).contains("reported-run,reported-run,completed,tiny,"));

      assertEquals(2, run("report", "nobody", "--home", dir.toString(), "--out", out.toString()));
      assertTrue(stderr().contains("runs/nobody/report.json") && stderr().contains("studies/nobody/study.json"), stderr());
    }
  }
}
