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

      OptionRanker.Ranking ranking = OptionRanker.rank(model, image, ColourSquares.prompt(),
          List.of(new int[] {red}, new int[] {hello}, new int[] {hello, hello, red}));
      assertEquals(1, ranking.best());
      assertEquals(3, ranking.scores().length);
      // Normalised per token: the long option with one unlikely token loses to the short one.
      assertTrue(ranking.scores()[1] > ranking.scores()[2]);
      assertTrue(ranking.scores()[2] > ranking.scores()[0]);
    }
  }
}
