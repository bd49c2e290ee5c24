package io.llavascale.model.llava;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llavascale.model.checkpoint.ModelFiles;
import io.llavascale.model.testing.ColourSquares;
import io.llavascale.model.train.TrainingSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyLlavaTest {
  private static final TinyLlavaConfig CONFIG = ColourSquares.tinyConfig(32);

  @TempDir Path dir;

  @Test
  void resolutionFactoryGives9Or36ImageTokens() {
    assertEquals(9, TinyLlavaConfig.forResolution(224, 100).imageTokens());
    assertEquals(36, TinyLlavaConfig.forResolution(336, 100).imageTokens());
    TinyLlavaConfig config = TinyLlavaConfig.forResolution(336, 100);
    assertEquals(config, TinyLlavaConfig.fromJson(config.toJson()));
    assertThrows(IllegalArgumentException.class, () -> TinyLlavaConfig.forResolution(512, 100));
  }

  @Test
  void parametersHaveStablePathsAndSeededValues() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava a = TinyLlava.create(CONFIG, 11, manager);
      TinyLlava b = TinyLlava.create(CONFIG, 11, manager);
      TinyLlava c = TinyLlava.create(CONFIG, 12, manager);
      var names = a.namedParameters().keySet();
      assertTrue(names.containsAll(List.of("vision.patch_embed.weight", "projector.weight",
          "lm.embed_tokens.weight", "lm.layers.0.attn.q_proj.weight", "lm.layers.1.attn.o_proj.bias",
          "lm.layers.1.mlp.up_proj.weight", "lm.layers.0.mlp.down_proj.weight", "lm.lm_head.weight")),
          names.toString());
      String q = "lm.layers.0.attn.q_proj.weight";
      assertArrayEquals(values(a, q), values(b, q));
      assertFalse(Arrays.equals(values(a, q), values(c, q)));
    }
  }

  @Test
  void imageTokenIsReplacedByPatchesAndPaddingChangesNothing() {
    ColourSquares data = new ColourSquares(3, 5, CONFIG.imageSize(), 3);
    TrainingSample image = data.get(0);
    TrainingSample text = data.get(2);
    LlavaBatch batch = LlavaBatch.of(List.of(image, text), CONFIG);
    assertEquals(image.inputIds().length - 1 + CONFIG.imageTokens(), batch.lengths()[0]);
    assertEquals(text.inputIds().length, batch.lengths()[1]);
    // Labels move with their tokens: the answer label lands after the 16 patches, shifted by one.
    int answerPos = 5 - 1 + CONFIG.imageTokens();
    assertEquals(image.labels()[5], batch.targets()[answerPos - 1]);

    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(CONFIG, 3, manager);
      float[] together = lastLogits(model, manager, List.of(image, text), 1);
      float[] alone = lastLogits(model, manager, List.of(text), 0);
      assertArrayEquals(alone, together, 1e-5f);
    }
  }

  @Test
  void rejectsAnImageTokenWithoutAnImage() {
    TrainingSample bad = new TrainingSample("bad", new int[] {2, 4, 3}, new int[] {-100, -100, 3}, null);
    assertThrows(IllegalArgumentException.class, () -> LlavaBatch.of(List.of(bad), CONFIG));
  }

  @Test
  void wholeModelSaveLoadRoundTrips() throws IOException {
    ColourSquares data = new ColourSquares(2, 9, CONFIG.imageSize(), 0);
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(CONFIG, 21, manager);
      ModelFiles.save(model, dir);
      TinyLlava loaded = ModelFiles.load(dir, manager);
      assertEquals(CONFIG, loaded.config());
      assertEquals(21, loaded.seed());
      assertArrayEquals(values(model, "vision.patch_embed.weight"),
          values(loaded, "vision.patch_embed.weight"));
      List<TrainingSample> batch = List.of(data.get(0), data.get(1));
      assertArrayEquals(lastLogits(model, manager, batch, 1), lastLogits(loaded, manager, batch, 1));
    }
  }

  private static float[] values(TinyLlava model, String path) {
    return model.namedParameters().get(path).getArray().toFloatArray();
  }

  private static float[] lastLogits(TinyLlava model, NDManager manager, List<TrainingSample> samples, int row) {
    LlavaBatch batch = LlavaBatch.of(samples, model.config());
    try (NDManager scope = manager.newSubManager()) {
      NDArray logits = model.logits(batch.inputs(scope, model.config()));
      return logits.get(row, batch.lengths()[row] - 1).toFloatArray();
    }
  }
}
