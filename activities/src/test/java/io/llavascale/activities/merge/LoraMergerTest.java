package io.llavascale.activities.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.lifecycle.StageContext;
import io.llavascale.activities.lifecycle.TrainingHeartbeat;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.activities.testing.LocalFolderObjectStore;
import io.llavascale.model.checkpoint.ModelFiles;
import io.llavascale.model.checkpoint.Safetensors;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.lora.AdapterFiles;
import io.llavascale.model.lora.LoraConfig;
import io.llavascale.model.merge.LayerProbe;
import io.llavascale.model.merge.WholeModelProbe;
import io.llavascale.model.quant.Nf4Tensor;
import io.llavascale.model.train.Tuning;
import io.llavascale.workflows.spec.CheckpointSpec;
import io.llavascale.workflows.spec.ComputeSpec;
import io.llavascale.workflows.spec.DataSpec;
import io.llavascale.workflows.spec.EvalSpec;
import io.llavascale.workflows.spec.ModelSpec;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.StageSpec;
import io.llavascale.workflows.spec.TuningSpec;
import io.llavascale.workflows.stages.MergeRequest;
import io.llavascale.workflows.stages.MergeResult;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.StageProgress;
import io.llavascale.workflows.stages.TrainResult;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MergeLora against a store: adapter folders as stage 2 writes them (LoRA and QLoRA) on a real tiny
 * LLaVA, checked by the whole-model probe and committed like any stage.
 */
class LoraMergerTest {
  static final String BUCKET = "llava-test";
  static final String RUN = "run";
  static final List<String> TARGETS = List.of("q_proj", "v_proj");
  static final LoraConfig LORA = new LoraConfig(4, 8, 0.05, TARGETS);
  static final String Q_PROJ = "lm.layers.0.attn.q_proj";

  @TempDir Path dir;
  LocalFolderObjectStore store;
  LoraMerger merger;
  Path base;
  String baseUri;
  Path adapter;

  @BeforeEach
  void base() throws Exception {
    store = new LocalFolderObjectStore(Files.createDirectories(dir.resolve("bucket")), BUCKET);
    merger = new LoraMerger(store, dir.resolve("scratch"));
    base = dir.resolve("base");
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelFiles.save(TinyLlava.create(TinyLlavaConfig.forResolution(224, 40), 5, manager), base);
    }
    baseUri = StageOutputs.forStage(store, RUN, StageNames.ALIGN).commit(base, Map.of("stage", "stage1"));
  }

  /** Stage 2's output for {@code method}: adapters with nonzero B and a moved projector, committed. */
  private TrainResult tuned(Tuning.Method method) throws Exception {
    adapter = dir.resolve("adapter");
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = ModelFiles.load(base, manager);
      new Tuning(method, LORA).adapt(model);
      Random random = new Random(1);
      model.namedParameters().forEach((path, parameter) -> {
        if (path.endsWith("lora_B.weight") || path.startsWith("projector.")) {
          float[] values = parameter.getArray().toFloatArray();
          for (int i = 0; i < values.length; i++) {
            values[i] += (float) random.nextGaussian() * 0.05f;
          }
          parameter.getArray().set(values);
        }
      });
      AdapterFiles.save(model, LORA, baseUri, method == Tuning.Method.QLORA, adapter);
    }
    String uri = StageOutputs.forStage(store, RUN, StageNames.TUNE).commit(adapter, Map.of("stage", "stage2"));
    return new TrainResult(StageNames.TUNE, uri, 10, 1.0, 0, 0, 1000, 1.0, "");
  }

  private static RunSpec spec(String method) {
    return spec(method, "tiny");
  }

  private static RunSpec spec(String method, String size) {
    StageSpec stage = new StageSpec(1e-4, 0.03, "cosine", 0, 8, 1, 10, 128);
    return new RunSpec("", 5, new ModelSpec(size, 224, "tiny-lm", "tiny-vision", 32, 1, 2),
        new TuningSpec(method, LORA.rank(), LORA.alpha(), LORA.dropout(), TARGETS),
        new DataSpec("s3://b/s1.json", "s3://b/s2.json", "s3://b/images", "s3://b/eval.jsonl", "", "", "", "", 0, 0.1),
        stage, stage, new CheckpointSpec(5, 2), new EvalSpec(1, 4, List.of(), "offline", ""), new ComputeSpec("jvm", "local", 1, 1), "");
  }

  private JsonNode report() throws Exception {
    return new ObjectMapper().readTree(store.getBytes("runs/run/merge/output/" + LoraMerger.REPORT));
  }

  private Path mergedModel() throws Exception {
    Path merged = dir.resolve("merged");
    store.getPrefix("runs/run/merge/output/" + LoraMerger.MODEL_FOLDER + "/", merged);
    return merged;
  }

  @Test
  void mergesCommitsAndTheMergedModelLoads() throws Exception {
    TrainResult tuned = tuned(Tuning.Method.LORA);
    Recording context = new Recording();
    MergeResult result = merger.merge(new MergeRequest(RUN, spec("lora"), baseUri, tuned), context);

    assertFalse(result.skipped());
    assertEquals("s3://" + BUCKET + "/runs/run/merge/output/llava-merged/", result.outputUri());
    assertTrue(result.reason().startsWith("merged 4 adapted of "), result.reason());
    assertTrue(result.reason().contains("whole-model max abs diff"), result.reason());
    assertEquals(WholeModelProbe.METHOD, result.verifiedBy());
    assertTrue(StageOutputs.forStage(store, RUN, StageNames.MERGE).isCommitted());
    assertFalse(context.progress.isEmpty());
    StageProgress last = context.progress.get(context.progress.size() - 1);
    assertEquals(last.totalSteps(), last.step(), "a heartbeat per tensor, up to the last");

    JsonNode report = report();
    assertEquals(WholeModelProbe.METHOD, report.get("verification").get("method").asText());
    assertEquals(result.maxAbsDiff(), report.get("verification").get("maxAbsDiff").asDouble());
    assertTrue(result.maxAbsDiff() < 1e-4, report.toString());
    assertEquals(4, report.get("merge").get("merged").asInt(), "q_proj and v_proj of 2 layers");
    System.out.printf("LoRA merge, whole-model probe: max abs logit difference %.3g%n", result.maxAbsDiff());

    Path merged = mergedModel();
    assertFalse(Files.exists(merged.resolve(StageOutputs.RESULT_FILE)), "stage 1's bookkeeping stays behind");
    try (NDManager manager = NDManager.newBaseManager();
        Safetensors.Reader replaced = Safetensors.open(adapter.resolve(AdapterFiles.NON_LORA_TRAINABLES))) {
      TinyLlava model = ModelFiles.load(merged, manager);
      String projector = "projector.weight";
      assertArrayEquals(replaced.readFloats(projector), model.namedParameters().get(projector).getArray().toFloatArray());
    }

    // A retry after the commit returns the committed result without merging again.
    Recording retry = new Recording();
    assertEquals(result, merger.merge(new MergeRequest(RUN, spec("lora"), baseUri, tuned), retry));
    assertTrue(retry.progress.isEmpty());
  }

  @Test
  void qloraMergesIntoTheNf4RoundTripOfTheBase() throws Exception {
    MergeResult result = merger.merge(new MergeRequest(RUN, spec("qlora"), baseUri, tuned(Tuning.Method.QLORA)),
        new Recording());

    assertEquals(WholeModelProbe.METHOD, result.verifiedBy());
    assertTrue(result.maxAbsDiff() < 1e-4, result.reason());
    System.out.printf("QLoRA merge, whole-model probe: max abs logit difference %.3g%n", result.maxAbsDiff());
    try (Safetensors.Reader stored = Safetensors.open(base.resolve(ModelFiles.WEIGHTS));
        Safetensors.Reader merged = Safetensors.open(mergedModel().resolve(ModelFiles.WEIGHTS));
        Safetensors.Reader lora = Safetensors.open(adapter.resolve(AdapterFiles.WEIGHTS))) {
      // A quantised layer without an adapter is exactly its round trip ...
      String kProj = "lm.layers.0.attn.k_proj.weight";
      long[] shape = stored.info(kProj).shape();
      assertArrayEquals(Nf4Tensor.quantize(stored.readFloats(kProj), shape).dequantize(), merged.readFloats(kProj));
      // ... an adapted one is its round trip plus (alpha / r) B A ...
      float[] w = Nf4Tensor.quantize(stored.readFloats(Q_PROJ + ".weight"), shape).dequantize();
      float[] a = lora.readFloats(Q_PROJ + ".lora_A.weight");
      float[] b = lora.readFloats(Q_PROJ + ".lora_B.weight");
      float[] q = merged.readFloats(Q_PROJ + ".weight");
      int in = (int) shape[1];
      for (int j = 0; j < shape[0]; j++) {
        for (int k = 0; k < in; k++) {
          double update = 0;
          for (int m = 0; m < LORA.rank(); m++) {
            update += b[j * LORA.rank() + m] * a[m * in + k];
          }
          assertEquals(w[j * in + k] + LORA.scale() * update, q[j * in + k], 1e-6, "q_proj[" + j + ", " + k + "]");
        }
      }
      // ... and what QLoRA keeps in F32 is copied as stored.
      assertArrayEquals(stored.readFloats("lm.layers.0.attn.k_proj.bias"), merged.readFloats("lm.layers.0.attn.k_proj.bias"));
      assertArrayEquals(stored.readFloats("lm.lm_head.weight"), merged.readFloats("lm.lm_head.weight"));
    }
  }

  @Test
  void aQloraAdapterMergedOntoThePlainBaseFailsTheWholeModelProbe() throws Exception {
    TrainResult tuned = tuned(Tuning.Method.QLORA);
    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> merger.merge(new MergeRequest(RUN, spec("lora"), baseUri, tuned), new Recording()));
    assertEquals(LoraMerger.MERGE_MISMATCH, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().contains("whole-model"), failure.getOriginalMessage());
    assertFalse(StageOutputs.forStage(store, RUN, StageNames.MERGE).isCommitted());
  }

  @Test
  void aModelTheJvmDoesNotRunIsProbedLayerByLayer() throws Exception {
    MergeResult result = merger.merge(new MergeRequest(RUN, spec("lora", "7b"), baseUri, tuned(Tuning.Method.LORA)),
        new Recording());
    assertEquals(LayerProbe.METHOD, result.verifiedBy());
    assertEquals(4, report().get("verification").get("checked").asInt());
  }

  @Test
  void aBadAdapterFailsTheStageForGood() throws Exception {
    TrainResult tuned = tuned(Tuning.Method.LORA);
    store.delete("runs/run/stage2/output/" + AdapterFiles.CONFIG);
    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> merger.merge(new MergeRequest(RUN, spec("lora"), baseUri, tuned), new Recording()));
    assertEquals(LoraMerger.BAD_ADAPTER, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().contains("has no adapter_config.json"), failure.getOriginalMessage());
    assertFalse(StageOutputs.forStage(store, RUN, StageNames.MERGE).isCommitted());
  }

  @Test
  void fullFineTuningHasNothingToMerge() throws Exception {
    TrainResult tuned = tuned(Tuning.Method.LORA);
    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> merger.merge(new MergeRequest(RUN, spec("full"), baseUri, tuned), new Recording()));
    assertEquals(LoraMerger.UNSUPPORTED, failure.getType());
    assertTrue(failure.isNonRetryable());
  }

  static final class Recording implements StageContext {
    final List<StageProgress> progress = new ArrayList<>();

    @Override
    public void progress(StageProgress p, long stepsRecomputed) {
      progress.add(p);
    }

    @Override
    public Optional<TrainingHeartbeat> previousAttempt() {
      return Optional.empty();
    }

    @Override
    public boolean stopRequested() {
      return false;
    }

    @Override
    public String label() {
      return "run=run stage=merge attempt=1";
    }
  }
}
