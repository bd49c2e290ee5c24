package io.llavascale.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llavascale.model.decode.GreedyDecoder;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.testing.ColourSquares;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model must actually learn to read the image: name the colour of the square. */
class LearningTest {
  @TempDir Path dir;

  @Test
  void learnsTheColourOfASquareAndAnswersHeldOutImages() throws IOException {
    TinyLlavaConfig config = ColourSquares.tinyConfig(64);
    // 168 image and 56 text-only samples: batches group by modality (as in LLaVA), so the text task
    // needs a few text-only batches an epoch (3 here, plus the mixed tail), not one.
    ColourSquares train = new ColourSquares(224, 1, config.imageSize(), 4);
    ColourSquares heldOut = new ColourSquares(24, 2, config.imageSize(), 0);
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(config, 7, manager);
      TrainerConfig trainer = new TrainerConfig(
          TrainerConfig.Stage.TUNE, 5e-3, 0.05, "cosine", 0.0, 16, 6, 0, 7, 0);
      List<Double> losses = new ArrayList<>();
      new TrainingLoop(model, trainer, train, dir)
          .onStep((step, total, loss, tokensPerSec) -> losses.add(loss))
          .run(null);
      double first = losses.get(0);
      double last = losses.subList(losses.size() - 5, losses.size()).stream()
          .mapToDouble(Double::doubleValue).average().orElseThrow();
      assertTrue(last < first / 5, "loss " + first + " -> " + last);

      int correct = 0;
      for (int i = 0; i < heldOut.size(); i++) {
        int[] answer = GreedyDecoder.generate(
            model, heldOut.get(i).image(), ColourSquares.prompt(), 4);
        // One colour token then EOS: anything longer means EOS was not produced or not honoured.
        correct += Arrays.equals(answer, new int[] {heldOut.answer(i)}) ? 1 : 0;
      }
      assertTrue(correct >= heldOut.size() * 0.9, correct + " of " + heldOut.size() + " right");
      assertArrayEquals(new int[] {ColourSquares.HELLO}, GreedyDecoder.generate(model, null,
          new int[] {2, ColourSquares.SAY}, 4));
    }
  }
}
