package io.llavascale.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.evaluate.Evaluator;
import io.llavascale.activities.ledger.RunLedgerActivityImpl;
import io.llavascale.activities.store.CheckpointStore;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.S3Uri;
import io.llavascale.activities.store.StorePaths;
import io.llavascale.infra.config.EmbeddedStack;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.model.checkpoint.CheckpointFiles;
import io.llavascale.model.checkpoint.ModelFiles;
import io.llavascale.model.checkpoint.Safetensors;
import io.llavascale.model.merge.WholeModelProbe;
import io.llavascale.workers.client.DatasetUpload;
import io.llavascale.workers.client.DemoDataset;
import io.llavascale.workers.client.Runs;
import io.llavascale.workers.client.Stores;
import io.llavascale.workers.pool.PoolSelection;
import io.llavascale.workers.pool.WorkerPools;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.pipeline.StageStatus;
import io.llavascale.workflows.stages.StageNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tiny-lora and tiny-qlora through the whole LlavaPipeline on the embedded stack, with in-process
 * workers and a few steps per stage: stage 2 trains adapters and the projector only, its
 * checkpoints hold only those, MergeLora runs (not skipped) and checks the merged model against
 * the unmerged one, and Evaluate answers with the merged model.
 */
class LoraPipelineTest {
  private static final String DATA = "datasets/lora-pipeline/";
  /**
   * The tiny presets' stage-2 trainables: rank-8 pairs on the 6 linear layers of each of 2 decoder
   * layers, r x (in + out) each: 4 x 8 x (128 + 128) + 2 x 8 x (128 + 512) = 18,432 a layer; and the
   * projector, 128 x 128 + 128.
   */
  private static final long ADAPTERS_AND_PROJECTOR = 2 * 18_432 + 16_512;

  @TempDir static Path home;
  static EmbeddedStack stack;
  static WorkerPools workers;
  static ObjectStore store;
  static Runs runs;

  @BeforeAll
  static void startStack() throws Exception {
    stack = EmbeddedStack.start(StackConfig.fromEnv(Map.of(StackConfig.ENV_HOME, home.toString())), 0, 0);
    StackConfig config = stack.config();
    workers = WorkerPools.launch(config, PoolSelection.parse(PoolSelection.ALL_LOCAL), 2, 1, Duration.ofSeconds(10));
    store = Stores.open(config);
    runs = new Runs(TemporalConnections.client(config));
    Path data = home.resolve("dataset");
    SyntheticDataset.write(data, SyntheticDataset.Options.of(9, 32, 32, 0, 2));
    DatasetUpload.upload(store, data, DATA);
  }

  @AfterAll
  static void stopStack() {
    workers.close();
    stack.close();
  }

  private static Map<String, Object> spec(String preset) {
    Map<String, Object> data = DemoDataset.dataSection(store, DATA, false);
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("preset", preset);
    spec.put("data", data);
    spec.put("stage1", Map.of("maxSteps", 4));
    spec.put("stage2", Map.of("maxSteps", 6));
    spec.put("checkpoint", Map.of("everySteps", 3, "keep", 2));
    return spec;
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-lora", "tiny-qlora"})
  void mergesAndEvaluatesTheMergedModel(String preset) throws Exception {
    String runId = preset + "-pipeline";
    runs.start(runId, spec(preset));
    PipelineReport report = runs.await(runId);

    Map<String, StageStatus> stages = new LinkedHashMap<>();
    report.stages().forEach(s -> stages.put(s.stage(), s));
    for (String stage : StageNames.ALL) {
      assertEquals("completed", stages.get(stage).status(), stage + ": " + stages.get(stage));
    }

    // Stage 2 trained the adapters and the projector, nothing else.
    assertEquals(ADAPTERS_AND_PROJECTOR, report.tune().trainableParams());
    assertEquals(ADAPTERS_AND_PROJECTOR, stages.get(StageNames.TUNE).trainableParams());

    // Its checkpoints hold exactly those parameters: a fraction of the whole model.
    CheckpointStore.Committed newest =
        CheckpointStore.forStage(store, runId, StageNames.TUNE).listCommitted().get(0);
    assertEquals(6, newest.step());
    Path checkpointWeights = home.resolve(runId + "-ckpt.safetensors");
    store.getFile(newest.prefix() + CheckpointFiles.MODEL, checkpointWeights);
    long held = 0;
    try (Safetensors.Reader weights = Safetensors.open(checkpointWeights)) {
      for (Safetensors.TensorInfo t : weights.tensors()) {
        assertTrue(t.name().contains(".lora_") || t.name().startsWith("projector."), t.name());
        held += t.elements();
      }
    }
    assertEquals(ADAPTERS_AND_PROJECTOR, held);
    long wholeModel = store.size(StorePaths.stageRoot(runId, StageNames.ALIGN) + "output/" + ModelFiles.WEIGHTS)
        .orElseThrow();
    long checkpoint = Files.size(checkpointWeights);
    assertTrue(checkpoint < wholeModel / 5, "checkpoint weights " + checkpoint + " bytes, whole model " + wholeModel);

    // MergeLora ran, checked the merged model whole, and the report carries its max abs difference.
    assertFalse(report.merge().skipped());
    assertEquals(WholeModelProbe.METHOD, report.merge().verifiedBy());
    assertTrue(report.merge().maxAbsDiff() < 1e-4, report.merge().toString());
    assertTrue(stages.get(StageNames.MERGE).detail().contains("whole-model max abs diff"),
        stages.get(StageNames.MERGE).detail());
    JsonNode runReport = new ObjectMapper().readTree(store.getBytes(StorePaths.runRoot(runId) + RunLedgerActivityImpl.REPORT));
    assertEquals(report.merge().maxAbsDiff(), runReport.get("merge").get("maxAbsDiff").asDouble());

    // Evaluate loaded the merged folder and answered with it.
    String merged = report.merge().outputUri();
    assertTrue(merged.endsWith("/runs/" + runId + "/merge/output/llava-merged/"), merged);
    JsonNode evalReport = new ObjectMapper().readTree(store.getBytes(S3Uri.parse(report.eval().outputUri()).key() + Evaluator.REPORT));
    assertEquals(merged, evalReport.get("model").asText());
    String firstAnswer = new String(store.getBytes(S3Uri.parse(report.eval().answersUri()).key())).lines().findFirst()
        .orElseThrow();
    assertEquals(runId + "/" + StageNames.MERGE, new ObjectMapper().readTree(firstAnswer).get("model_id").asText());
    assertTrue(report.eval().questions() > 0);
    System.out.printf("%s: merge %s, eval exact match %.3f over %d questions%n", preset,
        stages.get(StageNames.MERGE).detail(), report.eval().exactMatch(), report.eval().questions());
  }
}
