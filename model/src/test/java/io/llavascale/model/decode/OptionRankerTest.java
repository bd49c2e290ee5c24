package io.llavascale.model.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TokenIds;
import io.llavascale.model.testing.ColourSquares;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptionRankerTest {
  @Test
  void picksTheOptionTheModelFindsLikeliestPerToken() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(ColourSquares.tinyConfig(32), 1, manager);
      float[] bias = new float[ColourSquares.VOCAB];
      bias[ColourSquares.HELLO] = 20f;
      bias[TokenIds.EOS] = 19f;
      model.namedParameters().get("lm.lm_head.bias").getArray().set(bias);
      float[] image = new ColourSquares(1, 1, 56, 0).get(0).image();
      int red = ColourSquares.FIRST_COLOUR;
      int hello = ColourSquares.HELLO;

      List<int[]> options = List.of(new int[] {red}, new int[] {hello}, new int[] {hello, hello, red});
      List<int[]> rotated = List.of(options.get(1), options.get(2), options.get(0));
      List<OptionRanker.Ranking> rankings = OptionRanker.rank(model, image,
          List.of(ColourSquares.prompt(), ColourSquares.prompt(ColourSquares.SAY)), List.of(options, rotated));
      OptionRanker.Ranking ranking = rankings.get(0);
      assertEquals(1, ranking.best());
      assertEquals(3, ranking.scores().length);
      // Normalised per token: the long option with one unlikely token loses to the short one.
      assertTrue(ranking.scores()[1] > ranking.scores()[2]);
      assertTrue(ranking.scores()[2] > ranking.scores()[0]);
      // The second asking is ranked on its own prompt, in its own order.
      assertEquals(0, rankings.get(1).best());
    }
  }
}
