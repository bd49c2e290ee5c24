package io.llavascale.workers.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.S3ObjectStore;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.infra.config.EmbeddedStack;
import io.llavascale.infra.config.S3Clients;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.workers.client.DatasetUpload;
import io.llavascale.workers.client.DemoDataset;
import io.llavascale.workflows.stages.StageNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench end to end at toy size: both modes run on a real embedded stack and the result has a
 * sane shape. Speed itself is never asserted here; `llava bench` measures it.
 */
class PipelineBenchTest {
  private static final String PREFIX = "datasets/bench-test/";

  @TempDir Path home;

  @Test
  void measuresBothModesOnTheEmbeddedStack() throws Exception {
    try (EmbeddedStack stack =
        EmbeddedStack.start(StackConfig.fromEnv(Map.of(StackConfig.ENV_HOME, home.toString())), 0, 0)) {
      StackConfig config = stack.config();
      ObjectStore store = new S3ObjectStore(S3Clients.create(config), config.s3Bucket());
      Path data = home.resolve("dataset");
      SyntheticDataset.write(data, SyntheticDataset.Options.of(5, 40, 40, 0, 2));
      DatasetUpload.upload(store, data, PREFIX);
      Map<String, Object> dataSpec = DemoDataset.dataSection(store, PREFIX, false);
      Map<String, Object> spec = new LinkedHashMap<>();
      spec.put("preset", "tiny-full");
      spec.put("data", dataSpec);
      spec.put("stage1", Map.of("maxSteps", 5));
      spec.put("stage2", Map.of("maxSteps", 5));

      BenchResult result = PipelineBench.run(config, spec, "bench-test",
          new PipelineBench.Settings(1, false, 1, false, Duration.ofMinutes(3), line -> {}));

      assertEquals("tiny-full", result.preset());
      assertEquals(2, result.throughput().size());
      for (StageThroughput t : result.throughput()) {
        assertEquals(5, t.steps(), t.stage());
        assertEquals(4, t.measuredSteps(), t.stage());
        assertPositive(t.stepsPerSec(), t.stage() + " steps/s");
        assertPositive(t.medianStepsPerSec(), t.stage() + " median steps/s");
        assertPositive(t.tokensPerSec(), t.stage() + " tokens/s");
      }
      assertEquals(List.of(StageNames.ALIGN, StageNames.TUNE),
          result.throughput().stream().map(StageThroughput::stage).toList());

      assertEquals(1, result.rounds().size());
      BenchResult.Orchestration o = result.rounds().get(0);
      assertEquals("direct-first", o.order());
      assertNotEquals(o.directRunId(), o.temporalRunId());
      assertPositive(o.directSeconds(), "direct wall time");
      assertPositive(o.temporalSeconds(), "temporal wall time");
      assertPositive(o.ratio(), "ratio");
      assertEquals(o.temporalSeconds() / o.directSeconds(), o.ratio(), 1e-9);
      assertEquals(o.ratio(), result.overall().ratio(), 1e-9);
      List<String> rows = new java.util.ArrayList<>(StageNames.ALL);
      rows.add(BenchResult.BETWEEN_STAGES);
      assertEquals(rows, o.stages().stream().map(BenchResult.StageTimes::stage).toList());
      for (BenchResult.StageTimes s : o.stages()) {
        if (s.stage().equals(StageNames.MERGE)) {
          // Full fine-tuning: neither mode merges.
          assertTrue(s.directSeconds() == null && s.temporalSeconds() == null, s.toString());
        } else if (s.stage().equals(BenchResult.BETWEEN_STAGES)) {
          assertTrue(Double.isFinite(s.directSeconds()) && Double.isFinite(s.temporalSeconds()), s.toString());
        } else {
          assertTrue(s.directSeconds() > 0 && s.temporalSeconds() > 0, s.toString());
        }
      }
      // Each mode committed its own outputs under its own run id.
      for (String runId : List.of(o.directRunId(), o.temporalRunId())) {
        for (String stage : List.of(StageNames.DATA_PREP, StageNames.ALIGN, StageNames.TUNE, StageNames.EVALUATE)) {
          assertTrue(StageOutputs.forStage(store, runId, stage).isCommitted(), runId + " " + stage);
        }
      }
      // The table prints without trouble.
      result.print(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    }
  }

  private static void assertPositive(double value, String what) {
    assertTrue(Double.isFinite(value) && value > 0, what + " = " + value);
  }
}
