package io.llavascale.model.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llavascale.model.decode.BeamSearchDecoder.Beam;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TokenIds;
import io.llavascale.model.testing.ColourSquares;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BeamSearchDecoderTest {
  private static final int MAX_NEW = 6;

  @Test
  void beamsAreSortedDistinctAndScoredByTheirOwnLogProbability() {
    try (NDManager manager = NDManager.newBaseManager()) {
      for (long seed = 1; seed <= 3; seed++) {
        TinyLlava model = peaky(seed, manager);
        float[] image = new ColourSquares(1, seed, 56, 0).get(0).image();
        List<Beam> beams = BeamSearchDecoder.search(model, image, ColourSquares.prompt(), 5, MAX_NEW);
        assertEquals(5, beams.size());
        for (int i = 0; i < beams.size(); i++) {
          Beam beam = beams.get(i);
          if (i > 0) {
            assertTrue(beams.get(i - 1).score() >= beam.score(), "sorted best first: " + beams);
          }
          for (int j = 0; j < i; j++) {
            assertFalse(Arrays.equals(beams.get(j).tokens(), beam.tokens()) && beams.get(j).finished() == beam.finished());
          }
          // The score is the mean log-probability of what the beam says, EOS included.
          int[] said = beam.finished() ? append(beam.tokens(), TokenIds.EOS) : beam.tokens();
          double logProb = TokenLogProbs.continuations(model, image, List.of(ColourSquares.prompt()), List.of(said))[0];
          assertEquals(logProb, beam.logProb(), 1e-3);
          assertEquals(beam.logProb() / said.length, beam.score(), 1e-9);
          assertTrue(beam.finished() || beam.tokens().length == MAX_NEW, "unfinished only at the cap");
        }
      }
    }
  }

  @Test
  void beamOneIsGreedy() {
    try (NDManager manager = NDManager.newBaseManager()) {
      for (long seed = 1; seed <= 4; seed++) {
        TinyLlava model = peaky(seed, manager);
        float[] image = new ColourSquares(1, seed, 56, 0).get(0).image();
        List<Beam> one = BeamSearchDecoder.search(model, image, ColourSquares.prompt(), 1, MAX_NEW);
        assertEquals(1, one.size());
        assertArrayEquals(GreedyDecoder.generate(model, image, ColourSquares.prompt(), MAX_NEW), one.get(0).tokens());
      }
    }
  }

  @Test
  void beamFiveIsNeverLessLikelyThanBeamOne() {
    try (NDManager manager = NDManager.newBaseManager()) {
      int better = 0;
      for (long seed = 1; seed <= 8; seed++) {
        TinyLlava model = peaky(seed, manager);
        float[] image = new ColourSquares(1, seed, 56, 0).get(0).image();
        Beam one = BeamSearchDecoder.search(model, image, ColourSquares.prompt(), 1, MAX_NEW).get(0);
        Beam five = BeamSearchDecoder.search(model, image, ColourSquares.prompt(), 5, MAX_NEW).get(0);
        assertTrue(five.score() >= one.score() - 1e-6, "seed " + seed + ": beam 5 " + five + " vs beam 1 " + one);
        better += five.score() > one.score() + 1e-6 ? 1 : 0;
      }
      assertTrue(better > 0, "beam 5 should find a likelier answer than greedy somewhere");
    }
  }

  @Test
  void finishedBeamsKeepTheirSlotAndAreNotExtended() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(ColourSquares.tinyConfig(32), 1, manager);
      float[] bias = new float[ColourSquares.VOCAB];
      bias[TokenIds.EOS] = 50f; // EOS first, then HELLO, then SAY; the rest far behind
      bias[ColourSquares.HELLO] = 40f;
      bias[ColourSquares.SAY] = 30f;
      model.namedParameters().get("lm.lm_head.bias").getArray().set(bias);
      float[] image = new ColourSquares(1, 1, 56, 0).get(0).image();

      List<Beam> beams = BeamSearchDecoder.search(model, image, ColourSquares.prompt(), 2, MAX_NEW);
      // Step 1 keeps "" + EOS (finished, one slot) and HELLO; step 2 finishes HELLO + EOS.
      assertEquals(2, beams.size());
      assertTrue(beams.get(0).finished() && beams.get(1).finished());
      assertArrayEquals(new int[0], beams.get(0).tokens());
      assertArrayEquals(new int[] {ColourSquares.HELLO}, beams.get(1).tokens());
      assertEquals(1, beams.get(0).length());
      assertEquals(2, beams.get(1).length());
    }
  }

  /** A random model with sharpened, context-dependent next-token distributions. */
  private static TinyLlava peaky(long seed, NDManager manager) {
    TinyLlava model = TinyLlava.create(ColourSquares.tinyConfig(32), seed, manager);
    NDArray head = model.namedParameters().get("lm.lm_head.weight").getArray();
    head.set(head.mul(12).toFloatArray());
    float[] bias = new float[ColourSquares.VOCAB];
    bias[TokenIds.EOS] = 1.5f;
    model.namedParameters().get("lm.lm_head.bias").getArray().set(bias);
    return model;
  }

  private static int[] append(int[] tokens, int token) {
    int[] out = Arrays.copyOf(tokens, tokens.length + 1);
    out[tokens.length] = token;
    return out;
  }
}
