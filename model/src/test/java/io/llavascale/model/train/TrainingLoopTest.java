package io.llavascale.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llavascale.model.checkpoint.CheckpointFiles;
import io.llavascale.model.checkpoint.Safetensors;
import io.llavascale.model.checkpoint.TrainingState;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.lora.LoraConfig;
import io.llavascale.model.lora.LoraLayers;
import io.llavascale.model.testing.ColourSquares;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {
  private static final TinyLlavaConfig MODEL = ColourSquares.tinyConfig(32);
  /** 40 samples, batch 8: 5 steps an epoch, 2 epochs, so the resume crosses an epoch boundary. */
  private static final ColourSquares DATA = new ColourSquares(40, 1, MODEL.imageSize(), 5);

  @TempDir Path dir;

  private static TrainerConfig config(TrainerConfig.Stage stage, long checkpointEvery) {
    return new TrainerConfig(stage, 3e-3, 0.2, "cosine", 0.01, 8, 2, 0, 42, checkpointEvery);
  }

  @Test
  void resumedRunRepeatsTheUninterruptedLosses() throws IOException {
    TrainerConfig config = config(TrainerConfig.Stage.TUNE, 0);
    List<Double> straight = train(config, dir.resolve("a"), null, Long.MAX_VALUE).losses;

    Run interrupted = train(config, dir.resolve("b"), null, 4);
    assertTrue(interrupted.outcome.stoppedEarly());
    assertEquals(4, interrupted.outcome.steps());
    Path checkpoint = interrupted.checkpoints.get(4L);
    TrainingState state = CheckpointFiles.readState(checkpoint);
    assertEquals(4, state.step());
    assertEquals(10, state.totalSteps());
    assertEquals(32, state.cursor()); // step 4 of 5 in epoch 0, batch 8

    Run resumed = train(config, dir.resolve("c"), checkpoint, Long.MAX_VALUE);
    assertEquals(4, resumed.outcome.resumedFromStep());
    assertEquals(10, resumed.outcome.steps());
    assertFalse(resumed.outcome.stoppedEarly());
    assertEquals(straight.subList(0, 4), interrupted.losses);
    assertEquals(6, resumed.losses.size());
    for (int i = 0; i < 6; i++) {
      assertEquals(straight.get(4 + i), resumed.losses.get(i), 1e-6, "loss at step " + (5 + i));
    }
  }

  @Test
  void sameSeedGivesIdenticalLosses() throws IOException {
    TrainerConfig config = config(TrainerConfig.Stage.TUNE, 0);
    config = new TrainerConfig(config.stage(), config.learningRate(), config.warmupRatio(),
        config.schedule(), config.weightDecay(), config.batchSize(), config.epochs(), 4,
        config.seed(), 0);
    assertEquals(train(config, dir.resolve("a"), null, Long.MAX_VALUE).losses,
        train(config, dir.resolve("b"), null, Long.MAX_VALUE).losses);
  }

  @Test
  void alignTrainsOnlyTheProjectorAndCheckpointsOnlyIt() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(MODEL, 42, manager);
      Map<String, float[]> before = snapshot(model);
      List<Path> folders = new ArrayList<>();
      TrainerConfig config = new TrainerConfig(
          TrainerConfig.Stage.ALIGN, 1e-2, 0, "linear", 0.1, 8, 1, 3, 42, 3);
      TrainingOutcome outcome = new TrainingLoop(model, config, DATA, dir)
          .onCheckpoint((step, folder) -> folders.add(folder))
          .run(null);
      assertEquals(3, outcome.steps());
      assertEquals(model.namedParameters().size(), manager.getManagedArrays().size(),
          "every step's arrays were freed with its scope");
      snapshot(model).forEach((path, after) -> {
        if (path.startsWith("projector.")) {
          assertFalse(Arrays.equals(before.get(path), after), path + " should train");
        } else {
          assertArrayEquals(before.get(path), after, path + " should be frozen");
        }
      });
      assertEquals(List.of(dir.resolve("step-00000003")), folders);
      try (Safetensors.Reader weights = Safetensors.open(folders.get(0).resolve(CheckpointFiles.MODEL));
          Safetensors.Reader moments = Safetensors.open(folders.get(0).resolve(CheckpointFiles.OPTIMIZER))) {
        assertEquals(2, weights.tensors().size());
        assertTrue(weights.contains("projector.weight"));
        assertTrue(moments.contains("projector.weight.exp_avg"));
        assertTrue(moments.contains("projector.bias.exp_avg_sq"));
        assertEquals("3", moments.metadata().get("step_count"));
      }
    }
  }

  @Test
  void checkpointListenerFailureStopsTraining() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(MODEL, 42, manager);
      TrainingLoop loop = new TrainingLoop(model, config(TrainerConfig.Stage.ALIGN, 2), DATA, dir)
          .onCheckpoint((step, folder) -> {
            throw new IOException("upload failed");
          });
      assertThrows(IOException.class, () -> loop.run(null));
    }
  }

  @Test
  void refusesACheckpointFromAnotherConfig() throws IOException {
    Run run = train(config(TrainerConfig.Stage.TUNE, 2), dir.resolve("a"), null, 2);
    TrainerConfig other = new TrainerConfig(
        TrainerConfig.Stage.TUNE, 1e-3, 0.2, "cosine", 0.01, 8, 2, 0, 42, 2);
    assertThrows(IllegalStateException.class,
        () -> train(other, dir.resolve("b"), run.checkpoints.get(2L), Long.MAX_VALUE));
  }

  @Test
  void loraRunResumedFromACheckpointKeepsItsProjectorAndContinuesExactly() throws IOException {
    // Dropout on, so the resume must also repeat the dropout masks.
    TrainerConfig config = lora(0.1, 0);
    Run straight = train(config, dir.resolve("a"), null, Long.MAX_VALUE);
    Run interrupted = train(config, dir.resolve("b"), null, 4);
    Path checkpoint = interrupted.checkpoints.get(4L);
    try (Safetensors.Reader weights = Safetensors.open(checkpoint.resolve(CheckpointFiles.MODEL))) {
      assertTrue(weights.contains("projector.weight") && weights.contains("projector.bias"),
          "every LoRA checkpoint carries the projector");
      assertTrue(weights.contains("lm.layers.1.mlp.down_proj.lora_B.weight"));
      assertTrue(weights.tensors().stream().allMatch(t ->
          t.name().startsWith("projector.") || LoraLayers.isAdapterParameter(t.name())),
          "adapters and projector only, never the base");
    }
    Run resumed = train(config, dir.resolve("c"), checkpoint, Long.MAX_VALUE);
    assertEquals(4, resumed.outcome.resumedFromStep());
    for (int i = 0; i < 6; i++) {
      assertEquals(straight.losses.get(4 + i), resumed.losses.get(i), 1e-6, "loss at step " + (5 + i));
    }
    assertArrayEquals(straight.projector, resumed.projector, 1e-6f, "the projector continued, not restarted");
    assertFalse(Arrays.equals(interrupted.projector, resumed.projector));
  }

  @Test
  void loraTrainsOnlyAdaptersAndProjector() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(MODEL, 42, manager);
      TrainerConfig config = lora(0.05, 0);
      config.tuning().adapt(model);
      Map<String, float[]> before = snapshot(model);
      new TrainingLoop(model, config, DATA, dir).run();
      snapshot(model).forEach((path, after) -> {
        boolean trains = path.startsWith("projector.") || LoraLayers.isAdapterParameter(path);
        assertEquals(trains, !Arrays.equals(before.get(path), after), path + (trains ? " should train" : " should be frozen"));
      });
    }
  }

  @Test
  void loraCheckpointIsAFractionOfAFullOne() throws IOException {
    long full = bytes(train(config(TrainerConfig.Stage.TUNE, 2), dir.resolve("full"), null, 2).checkpoints.get(2L));
    long lora = bytes(train(lora(0, 2), dir.resolve("lora"), null, 2).checkpoints.get(2L));
    assertTrue(lora * 5 < full, "LoRA checkpoint " + lora + " bytes vs full " + full);
  }

  @Test
  void adapterTuningRefusesAModelWithoutAdapters() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(MODEL, 42, manager);
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> new TrainingLoop(model, lora(0, 0), DATA, dir).run());
      assertTrue(e.getMessage().contains("LORA tuning needs a model with adapters"), e.getMessage());
    }
  }

  /** Rank 2 on every decoder linear layer, alpha 4. */
  private static TrainerConfig lora(double dropout, long checkpointEvery) {
    Tuning tuning = new Tuning(Tuning.Method.LORA, new LoraConfig(2, 4, dropout,
        List.of("q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj")));
    return new TrainerConfig(TrainerConfig.Stage.TUNE, 1e-2, 0.2, "cosine", 0.01, 8, 2, 0, 42,
        checkpointEvery, tuning);
  }

  private static long bytes(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      long total = 0;
      for (Path file : files.toList()) {
        total += Files.size(file);
      }
      return total;
    }
  }

  private record Run(
      List<Double> losses, Map<Long, Path> checkpoints, TrainingOutcome outcome, float[] projector) {}

  /** Trains a fresh model (new manager, new optimizer) as a retried activity would. */
  private static Run train(TrainerConfig config, Path root, Path resumeFrom, long stopAfter)
      throws IOException {
    List<Double> losses = new ArrayList<>();
    Map<Long, Path> checkpoints = new LinkedHashMap<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(MODEL, config.seed(), manager);
      config.tuning().adapt(model);
      long[] last = {0};
      TrainingOutcome outcome = new TrainingLoop(model, config, DATA, root)
          .onStep((step, total, loss, tokensPerSec) -> {
            losses.add(loss);
            last[0] = step;
          })
          .onCheckpoint((step, folder) -> {
            assertTrue(Files.exists(folder.resolve(CheckpointFiles.STATE)));
            checkpoints.put(step, folder);
          })
          .stopWhen(() -> last[0] >= stopAfter)
          .run(resumeFrom);
      float[] projector = model.namedParameters().get("projector.weight").getArray().toFloatArray();
      return new Run(losses, checkpoints, outcome, projector);
    }
  }

  private static Map<String, float[]> snapshot(TinyLlava model) {
    Map<String, float[]> values = new LinkedHashMap<>();
    model.namedParameters().forEach((path, p) -> values.put(path, p.getArray().toFloatArray()));
    return values;
  }
}
