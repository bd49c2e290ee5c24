package io.llavascale.model.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TokenIds;
import io.llavascale.model.testing.ColourSquares;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenLogProbsTest {
  @Test
  void continuationScoreIsTheSumOfNextTokenLogProbs() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(ColourSquares.tinyConfig(32), 3, manager);
      float[] image = new ColourSquares(1, 3, 56, 0).get(0).image();
      int[] prompt = ColourSquares.prompt();
      int[] answer = {ColourSquares.FIRST_COLOUR + 1, ColourSquares.HELLO, TokenIds.EOS};

      double stepByStep = 0;
      for (int i = 0; i < answer.length; i++) {
        int[] sequence = ColourSquares.prompt(java.util.Arrays.copyOf(answer, i));
        stepByStep += TokenLogProbs.next(model, image, List.of(sequence))[0][answer[i]];
      }
      int[] otherPrompt = ColourSquares.prompt(ColourSquares.HELLO);
      double[] batched = TokenLogProbs.continuations(model, image, List.of(prompt, prompt, otherPrompt),
          List.of(new int[] {ColourSquares.SAY}, answer, new int[] {TokenIds.EOS}));
      assertEquals(stepByStep, batched[1], 1e-4);
      assertEquals(TokenLogProbs.next(model, image, List.of(prompt))[0][ColourSquares.SAY], batched[0], 1e-4);
      assertEquals(TokenLogProbs.next(model, image, List.of(otherPrompt))[0][TokenIds.EOS], batched[2], 1e-4);
    }
  }

  @Test
  void refusesWhatDoesNotFit() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(ColourSquares.tinyConfig(32), 3, manager);
      float[] image = new ColourSquares(1, 3, 56, 0).get(0).image();
      // maxSeqLen 48: 5 prompt tokens, the image expanding into 16, leave room for 28 more.
      assertEquals(true, TokenLogProbs.hasRoom(model, true, 5 + 27));
      assertEquals(false, TokenLogProbs.hasRoom(model, true, 5 + 28));
      assertThrows(IllegalArgumentException.class, () -> TokenLogProbs.continuations(model, image,
          List.of(ColourSquares.prompt()), List.of(new int[29])));
    }
  }
}
