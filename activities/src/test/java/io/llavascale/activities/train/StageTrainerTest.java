package io.llavascale.activities.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llavascale.activities.dataprep.DataPrepper;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.lifecycle.StageContext;
import io.llavascale.activities.lifecycle.TrainingHeartbeat;
import io.llavascale.activities.store.CheckpointStore;
import io.llavascale.activities.store.StageMetrics;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.activities.testing.LocalFolderObjectStore;
import io.llavascale.model.checkpoint.ModelFiles;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.lora.AdapterFiles;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.workflows.spec.CheckpointSpec;
import io.llavascale.workflows.spec.ComputeSpec;
import io.llavascale.workflows.spec.DataSpec;
import io.llavascale.workflows.spec.EvalSpec;
import io.llavascale.workflows.spec.ModelSpec;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.StageSpec;
import io.llavascale.workflows.spec.TuningSpec;
import io.llavascale.workflows.stages.PreparedData;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.StageProgress;
import io.llavascale.workflows.stages.TrainRequest;
import io.llavascale.workflows.stages.TrainResult;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A training stage against the store: checkpoints, graceful hand-back, exact resume, outputs. */
class StageTrainerTest {
  static final String BUCKET = "llava-test";

  @TempDir Path dir;
  LocalFolderObjectStore store;
  RunSpec spec;

  @BeforeEach
  void prepareData() throws Exception {
    store = new LocalFolderObjectStore(Files.createDirectories(dir.resolve("bucket")), BUCKET);
    Path raw = dir.resolve("raw");
    SyntheticDataset.write(raw, SyntheticDataset.Options.of(11, 48, 48, 0, 2));
    store.uploadFolder(raw, "data/");
    DataSpec data = new DataSpec("s3://" + BUCKET + "/data/stage1.json", "s3://" + BUCKET + "/data/stage2.json",
        "s3://" + BUCKET + "/data/images", "s3://" + BUCKET + "/data/eval/questions.jsonl", "", "", "", "", 0, 0.1);
    StageSpec stage = new StageSpec(1e-3, 0.1, "cosine", 0, 8, 4, 24, 128);
    spec = new RunSpec("", 5, new ModelSpec("tiny", 224, "tiny-lm", "tiny-vision", 32, 1, 2),
        new TuningSpec("full", 0, 0, 0, List.of()), data, stage, stage, new CheckpointSpec(5, 2),
        new EvalSpec(1, 4, List.of(), "offline", ""), new ComputeSpec("jvm", "local", 1, 1), "");
  }

  private TrainRequest request(String runId, String initFrom) {
    PreparedData data = new DataPrepper(store).prepare(runId, spec, DataPrepper.Progress.NONE).data();
    return new TrainRequest(runId, spec, data, initFrom);
  }

  @Test
  void stageCommitsOutputAndCheckpointsWithFiniteFallingLoss() throws Exception {
    StageTrainer trainer = new StageTrainer(store, dir.resolve("scratch"));
    TrainRequest request = request("run", "");
    TrainResult align = trainer.train(request, TrainerConfig.Stage.ALIGN, new RecordingContext(Optional.empty(), Integer.MAX_VALUE));
    RecordingContext context = new RecordingContext(Optional.empty(), Integer.MAX_VALUE);
    TrainResult tune = trainer.train(new TrainRequest("run", spec, request.data(), align.outputUri()),
        TrainerConfig.Stage.TUNE, context);

    assertEquals(24, tune.steps());
    assertTrue(Double.isFinite(tune.finalLoss()), "stage 2 loss is " + tune.finalLoss());
    assertTrue(tune.finalLoss() < context.losses.get(1), "loss falls over stage 2: " + context.losses.subList(1, 25));
    assertTrue(tune.trainableParams() > align.trainableParams(), "stage 2 trains the LM too");
    assertTrue(StageOutputs.forStage(store, "run", StageNames.TUNE).readCommitted(TrainResult.class).isPresent());
    List<CheckpointStore.Committed> kept = CheckpointStore.forStage(store, "run", StageNames.TUNE).listCommitted();
    assertEquals(List.of(20L, 15L), kept.stream().map(CheckpointStore.Committed::step).toList(), "keep 2");
    List<StageMetrics.Point> logged = StageMetrics.read(store, "run", StageNames.TUNE);
    assertEquals(LongStream.rangeClosed(1, 24).boxed().toList(), logged.stream().map(StageMetrics.Point::step).toList(),
        "metrics.jsonl has every step");
    assertEquals(tune.finalLoss(), logged.get(23).loss(), 1e-9);
  }

  @Test
  void shutdownHandsBackACheckpointAndTheRetryContinuesExactly() throws Exception {
    StageTrainer trainer = new StageTrainer(store, dir.resolve("scratch"));
    TrainRequest request = request("full", "");
    RecordingContext uninterrupted = new RecordingContext(Optional.empty(), Integer.MAX_VALUE);
    TrainResult expected = trainer.train(request, TrainerConfig.Stage.ALIGN, uninterrupted);

    TrainRequest again = new TrainRequest("stopped", spec, request("stopped", "").data(), "");
    RecordingContext stopping = new RecordingContext(Optional.empty(), 7);
    ApplicationFailure handedBack = assertThrows(ApplicationFailure.class,
        () -> trainer.train(again, TrainerConfig.Stage.ALIGN, stopping));
    assertEquals(StageTrainer.WORKER_SHUTDOWN, handedBack.getType());
    assertEquals(7, CheckpointStore.forStage(store, "stopped", StageNames.ALIGN).listCommitted().get(0).step(),
        "the stop itself is checkpointed: nothing is lost");

    RecordingContext retry = new RecordingContext(Optional.of(stopping.last()), Integer.MAX_VALUE);
    TrainResult resumed = trainer.train(again, TrainerConfig.Stage.ALIGN, retry);
    assertEquals(7, resumed.resumedFromStep());
    assertEquals(0, resumed.stepsRecomputed());
    assertEquals(expected.finalLoss(), resumed.finalLoss(), 1e-6);
    for (long step = 8; step <= 24; step++) {
      assertEquals(uninterrupted.losses.get((int) step), retry.losses.get((int) step), 1e-6, "step " + step);
    }
    List<StageMetrics.Point> logged = StageMetrics.read(store, "stopped", StageNames.ALIGN);
    assertEquals(LongStream.rangeClosed(1, 24).boxed().toList(), logged.stream().map(StageMetrics.Point::step).toList(),
        "the retry keeps the first attempt's steps up to its checkpoint and logs the rest once");
  }

  @Test
  void aWorkerAlreadyShuttingDownHandsATaskBackUntouched() throws Exception {
    StageTrainer trainer = new StageTrainer(store, dir.resolve("scratch"));
    TrainRequest request = request("late", "");
    ApplicationFailure handedBack = assertThrows(ApplicationFailure.class,
        () -> trainer.train(request, TrainerConfig.Stage.ALIGN, new RecordingContext(Optional.empty(), 0)));
    assertEquals(StageTrainer.WORKER_SHUTDOWN, handedBack.getType());
    assertTrue(CheckpointStore.forStage(store, "late", StageNames.ALIGN).listCommitted().isEmpty(),
        "no step was taken, so no checkpoint was written");
  }

  @Test
  void loraStageCommitsAnAdapterFolderThatLoadsOnItsBaseAndResumesExactly() throws Exception {
    spec = withTuning(new TuningSpec("lora", 4, 8, 0.05, List.of("q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj")));
    StageTrainer trainer = new StageTrainer(store, dir.resolve("scratch"));
    TrainRequest request = request("lora", "");
    TrainResult align = trainer.train(request, TrainerConfig.Stage.ALIGN, new RecordingContext(Optional.empty(), Integer.MAX_VALUE));
    TrainRequest tune = new TrainRequest("lora", spec, request.data(), align.outputUri());
    RecordingContext uninterrupted = new RecordingContext(Optional.empty(), Integer.MAX_VALUE);
    TrainResult expected = trainer.train(tune, TrainerConfig.Stage.TUNE, uninterrupted);

    // hidden 32, mlp 128, 1 layer, r 4: q,k,v,o 4 x (4x32 + 32x4), up and down 2 x (4x32 + 128x4); projector 128 x 32 + 32
    assertEquals(4 * 256 + 2 * 640 + 128 * 32 + 32, expected.trainableParams());
    List<String> files = store.list("runs/lora/" + StageNames.TUNE + "/output/").stream()
        .map(key -> key.substring(key.lastIndexOf('/') + 1)).toList();
    assertTrue(files.containsAll(List.of(AdapterFiles.CONFIG, AdapterFiles.WEIGHTS, AdapterFiles.NON_LORA_TRAINABLES)), files.toString());
    assertFalse(files.contains(ModelFiles.WEIGHTS), "the base is not copied into the adapter folder");
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TrainedModels.load(store, expected.outputUri(), dir.resolve("load"), manager);
      assertTrue(model.namedParameters().containsKey("lm.layers.0.attn.q_proj.lora_B.weight"));
    }

    // A second run of the same stage, handed back at step 7 and retried, continues the same losses.
    TrainRequest again = new TrainRequest("lora2", spec, request("lora2", "").data(), align.outputUri());
    RecordingContext stopping = new RecordingContext(Optional.empty(), 7);
    assertThrows(ApplicationFailure.class, () -> trainer.train(again, TrainerConfig.Stage.TUNE, stopping));
    RecordingContext retry = new RecordingContext(Optional.of(stopping.last()), Integer.MAX_VALUE);
    TrainResult resumed = trainer.train(again, TrainerConfig.Stage.TUNE, retry);
    assertEquals(7, resumed.resumedFromStep());
    assertTrue(resumed.finalLoss() < uninterrupted.losses.get(1), "loss falls: " + resumed.finalLoss());
    for (long step = 8; step <= 24; step++) {
      assertEquals(uninterrupted.losses.get((int) step), retry.losses.get((int) step), 1e-6, "step " + step);
    }
  }

  @Test
  void aTargetModuleTheTinyLmLacksFailsForGood() throws Exception {
    spec = withTuning(new TuningSpec("qlora", 4, 8, 0, List.of("q_proj", "gate_proj")));
    StageTrainer trainer = new StageTrainer(store, dir.resolve("scratch"));
    TrainRequest request = request("gate", "");
    TrainResult align = trainer.train(request, TrainerConfig.Stage.ALIGN, new RecordingContext(Optional.empty(), Integer.MAX_VALUE));
    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> trainer.train(
        new TrainRequest("gate", spec, request.data(), align.outputUri()), TrainerConfig.Stage.TUNE,
        new RecordingContext(Optional.empty(), Integer.MAX_VALUE)));
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().contains("gate_proj")
        && failure.getOriginalMessage().contains("allowed: q_proj, k_proj, v_proj, o_proj, up_proj, down_proj"),
        failure.getOriginalMessage());
  }

  private RunSpec withTuning(TuningSpec tuning) {
    return new RunSpec(spec.preset(), spec.seed(), spec.model(), tuning, spec.data(), spec.stage1(), spec.stage2(),
        spec.checkpoint(), spec.eval(), spec.compute(), spec.resumeFrom());
  }

  /** Records losses by step; asks to stop once a given step is reached (from the start if <= 0). */
  static final class RecordingContext implements StageContext {
    final List<Double> losses = new ArrayList<>(Collections.nCopies(25, Double.NaN));
    final Optional<TrainingHeartbeat> previous;
    final int stopAtStep;
    volatile TrainingHeartbeat last;

    RecordingContext(Optional<TrainingHeartbeat> previous, int stopAtStep) {
      this.previous = previous;
      this.stopAtStep = stopAtStep;
    }

    @Override
    public void progress(StageProgress progress, long stepsRecomputed) {
      last = new TrainingHeartbeat(progress, stepsRecomputed);
      losses.set((int) progress.step(), progress.loss());
    }

    TrainingHeartbeat last() {
      return last;
    }

    @Override
    public Optional<TrainingHeartbeat> previousAttempt() {
      return previous;
    }

    @Override
    public boolean stopRequested() {
      return stopAtStep <= 0 || last != null && last.progress().step() >= stopAtStep;
    }

    @Override
    public String label() {
      return "test";
    }
  }
}
