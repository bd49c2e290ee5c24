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
import io.llavascale.model.merge.AdapterConfig;
import io.llavascale.model.merge.LoraAdapter;
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
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MergeLora against a store: our own adapter layout on a real tiny LLaVA, committed like any stage. */
class LoraMergerTest {
  static final String BUCKET = "llava-test";
  static final String RUN = "run";

  @TempDir Path dir;
  LocalFolderObjectStore store;
  LoraMerger merger;
  String baseUri;
  TrainResult tuned;
  Path adapter;
  String adapted;
  String projector;

  @BeforeEach
  void baseAndAdapter() throws Exception {
    store = new LocalFolderObjectStore(Files.createDirectories(dir.resolve("bucket")), BUCKET);
    merger = new LoraMerger(store, dir.resolve("scratch"));
    Path base = dir.resolve("base");
    List<String> names = new ArrayList<>();
    long[] shape;
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(TinyLlavaConfig.forResolution(224, 40), 5, manager);
      ModelFiles.save(model, base);
      names.addAll(model.namedParameters().keySet());
      adapted = names.stream().filter(n -> n.endsWith("q_proj.weight")).findFirst().orElseThrow();
      projector = names.stream().filter(n -> n.startsWith("projector") && n.endsWith("weight")).findFirst().orElseThrow();
      shape = model.namedParameters().get(adapted).getArray().getShape().getShape();
    }
    baseUri = StageOutputs.forStage(store, RUN, StageNames.ALIGN).commit(base, Map.of("stage", "stage1"));

    // Our own adapter layout: parameter paths as keys, no PEFT prefix.
    adapter = Files.createDirectories(dir.resolve("adapter"));
    AdapterConfig.lora(4, 8, 0.05, List.of("q_proj")).write(adapter.resolve(AdapterConfig.FILE_NAME));
    String module = adapted.substring(0, adapted.length() - ".weight".length());
    Safetensors.write(adapter.resolve(LoraAdapter.WEIGHTS), Map.of(), List.of(
        Safetensors.Entry.f32(module + ".lora_A.weight", new long[] {4, shape[1]}, () -> random(4 * shape[1], 1)),
        Safetensors.Entry.f32(module + ".lora_B.weight", new long[] {shape[0], 4}, () -> random(shape[0] * 4, 2))));
    try (Safetensors.Reader b = Safetensors.open(base.resolve(ModelFiles.WEIGHTS))) {
      long[] p = b.info(projector).shape();
      Safetensors.write(adapter.resolve(LoraAdapter.NON_LORA), Map.of(), List.of(
          Safetensors.Entry.f32(projector, p, () -> random(b.info(projector).elements(), 3))));
    }
    String tunedUri = StageOutputs.forStage(store, RUN, StageNames.TUNE).commit(adapter, Map.of("stage", "stage2"));
    tuned = new TrainResult(StageNames.TUNE, tunedUri, 10, 1.0, 0, 0, 1000, 1.0, "");
  }

  private static float[] random(long n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (random.nextDouble() - 0.5) / 10;
    }
    return v;
  }

  private static RunSpec spec(String method) {
    StageSpec stage = new StageSpec(1e-4, 0.03, "cosine", 0, 8, 1, 10, 128);
    return new RunSpec("", 5, new ModelSpec("tiny", 224, "tiny-lm", "tiny-vision", 32, 1, 2),
        new TuningSpec(method, 4, 8, 0.05, List.of("q_proj")),
        new DataSpec("s3://b/s1.json", "s3://b/s2.json", "s3://b/images", "s3://b/eval.jsonl", "", "", "", "", 0, 0.1),
        stage, stage, new CheckpointSpec(5, 2), new EvalSpec(1, 4, List.of(), "offline", ""), new ComputeSpec("jvm", "local", 1, 1), "");
  }

  @Test
  void mergesCommitsAndTheMergedModelLoads() throws Exception {
    Recording context = new Recording();
    MergeResult result = merger.merge(new MergeRequest(RUN, spec("lora"), baseUri, tuned), context);

    assertFalse(result.skipped());
    assertEquals("s3://" + BUCKET + "/runs/run/merge/output/llava-merged/", result.outputUri());
    assertTrue(result.reason().startsWith("merged 1 adapted of "), result.reason());
    assertTrue(StageOutputs.forStage(store, RUN, StageNames.MERGE).isCommitted());
    assertFalse(context.progress.isEmpty());
    StageProgress last = context.progress.get(context.progress.size() - 1);
    assertEquals(last.totalSteps(), last.step(), "a heartbeat per tensor, up to the last");

    JsonNode report = new ObjectMapper().readTree(store.getBytes("runs/run/merge/output/" + LoraMerger.REPORT));
    assertTrue(report.get("verification").get("maxAbsDiff").asDouble() < 1e-5, report.toString());
    assertEquals(1, report.get("merge").get("merged").asInt());

    Path merged = dir.resolve("merged");
    store.getPrefix("runs/run/merge/output/llava-merged/", merged);
    assertFalse(Files.exists(merged.resolve(StageOutputs.RESULT_FILE)), "stage 1's bookkeeping stays behind");
    try (NDManager manager = NDManager.newBaseManager();
        Safetensors.Reader replaced = Safetensors.open(adapter.resolve(LoraAdapter.NON_LORA))) {
      TinyLlava model = ModelFiles.load(merged, manager);
      assertArrayEquals(replaced.readFloats(projector), model.namedParameters().get(projector).getArray().toFloatArray());
    }

    // A retry after the commit returns the committed result without merging again.
    Recording retry = new Recording();
    assertEquals(result, merger.merge(new MergeRequest(RUN, spec("lora"), baseUri, tuned), retry));
    assertTrue(retry.progress.isEmpty());
  }

  @Test
  void aBadAdapterFailsTheStageForGood() throws Exception {
    store.delete("runs/run/stage2/output/" + AdapterConfig.FILE_NAME);
    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> merger.merge(new MergeRequest(RUN, spec("lora"), baseUri, tuned), new Recording()));
    assertEquals(LoraMerger.BAD_ADAPTER, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().contains("has no adapter_config.json"), failure.getOriginalMessage());
    assertFalse(StageOutputs.forStage(store, RUN, StageNames.MERGE).isCommitted());
  }

  @Test
  void qloraWaitsForItsBaseTransform() {
    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> merger.merge(new MergeRequest(RUN, spec("qlora"), baseUri, tuned), new Recording()));
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
