package io.llavascale.model.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDManager;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TokenIds;
import io.llavascale.model.testing.ColourSquares;
import org.junit.jupiter.api.Test;

class GreedyDecoderTest {
  @Test
  void stopsAtEosAndOtherwiseRunsToTheLimit() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(ColourSquares.tinyConfig(32), 1, manager);
      float[] image = new ColourSquares(1, 1, 56, 0).get(0).image();
      float[] bias = new float[ColourSquares.VOCAB];

      bias[ColourSquares.HELLO] = 100f;
      model.namedParameters().get("lm.lm_head.bias").getArray().set(bias);
      int h = ColourSquares.HELLO;
      assertArrayEquals(new int[] {h, h, h},
          GreedyDecoder.generate(model, image, ColourSquares.prompt(), 3));

      bias[TokenIds.EOS] = 200f;
      model.namedParameters().get("lm.lm_head.bias").getArray().set(bias);
      assertArrayEquals(new int[0], GreedyDecoder.generate(model, image, ColourSquares.prompt(), 3));
    }
  }
}
