package io.llavascale.activities.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.activities.dataprep.DataPrepper;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.lifecycle.StageContext;
import io.llavascale.activities.lifecycle.TrainingHeartbeat;
import io.llavascale.activities.store.CheckpointStore;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.activities.testing.LocalFolderObjectStore;
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
        new EvalSpec(1, 4, List.of(), "offline", ""), new ComputeSpec("local", 1, 1), "");
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
  }

  /** Records losses by step; asks to stop once a given step is reached. */
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
      return last != null && last.progress().step() >= stopAtStep;
    }

    @Override
    public String label() {
      return "test";
    }
  }
}
