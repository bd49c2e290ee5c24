package io.llavascale.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llavascale.model.llava.LlavaBatch;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.llava.TokenIds;
import io.llavascale.model.testing.ColourSquares;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ShareGPT mixing sends batches with no image at all through the model (LLaVA groups batches by
 * modality): the vision tower and projector are skipped and the LM still trains.
 */
class TextOnlyTrainingTest {
  @TempDir Path dir;

  @Test
  void aBatchWithoutImagesTrains() throws IOException {
    TinyLlavaConfig config = ColourSquares.tinyConfig(32);
    // "say <w> -> <w>" over four words: text the LM can learn, with no <image> token anywhere.
    List<TrainingSample> samples = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      int w = ColourSquares.FIRST_COLOUR + i % 4;
      samples.add(new TrainingSample("text-" + i,
          new int[] {TokenIds.BOS, ColourSquares.SAY, w, w, TokenIds.EOS},
          new int[] {TrainingSample.IGNORE, TrainingSample.IGNORE, TrainingSample.IGNORE, w,
              TokenIds.EOS},
          null));
    }
    assertEquals(0, LlavaBatch.of(samples.subList(0, 8), config).imageCount());
    SampleSource source = new SampleSource() {
      @Override
      public int size() {
        return samples.size();
      }

      @Override
      public TrainingSample get(int index) {
        return samples.get(index);
      }
    };
    List<Double> losses = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(config, 5, manager);
      TrainerConfig trainer =
          new TrainerConfig(TrainerConfig.Stage.TUNE, 5e-3, 0, "cosine", 0, 8, 10, 0, 5, 0);
      TrainingOutcome outcome = new TrainingLoop(model, trainer, source, dir)
          .onStep((step, total, loss, tokensPerSec) -> losses.add(loss))
          .run(null);
      assertEquals(40, outcome.steps());
    }
    assertTrue(losses.stream().allMatch(Double::isFinite), losses.toString());
    double first = losses.get(0);
    double last = losses.subList(35, 40).stream().mapToDouble(Double::doubleValue).average()
        .orElseThrow();
    assertTrue(last < first / 3, "loss " + first + " -> " + last);
  }
}
