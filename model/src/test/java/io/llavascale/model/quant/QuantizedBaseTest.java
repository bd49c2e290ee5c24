package io.llavascale.model.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llavascale.model.llava.LlavaBatch;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.lora.LoraConfig;
import io.llavascale.model.testing.ColourSquares;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.model.train.TrainingLoop;
import io.llavascale.model.train.Tuning;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizedBaseTest {
  static final TinyLlavaConfig MODEL = ColourSquares.tinyConfig(64);
  static final List<String> ALL = List.of("q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj");

  @TempDir Path dir;

  @Test
  void decoderWeightsAreHeldOnlyAsNf4AndTheModelStillComputesNearlyTheSame() {
    ColourSquares data = new ColourSquares(4, 1, MODEL.imageSize(), 2);
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(MODEL, 9, manager);
      float[] before = logits(model, data);
      int arraysBefore = manager.getManagedArrays().size();

      QuantizedBase base = QuantizedBase.quantize(model);

      assertEquals(12, base.layers(), "6 linear layers in each of 2 decoder layers");
      // hidden 64, mlp 128: per layer 4 x 64 x 64 + 2 x 64 x 128
      assertEquals(2 * (4 * 64 * 64 + 2 * 64 * 128), base.parameters());
      assertTrue(base.bitsPerParameter() > 4.1 && base.bitsPerParameter() < 4.5, base.bitsPerParameter() + " bits");
      assertEquals(arraysBefore - 12, manager.getManagedArrays().size(), "the F32 weights are freed");
      assertFalse(model.namedParameters().containsKey("lm.layers.0.attn.q_proj.weight"));
      assertTrue(model.namedParameters().containsKey("lm.layers.0.attn.q_proj.bias"), "biases stay F32");
      assertTrue(model.namedParameters().containsKey("lm.lm_head.weight"), "the LM head stays F32");

      float[] after = logits(model, data);
      double worst = 0;
      double scale = 0;
      for (int i = 0; i < before.length; i++) {
        worst = Math.max(worst, Math.abs(before[i] - after[i]));
        scale = Math.max(scale, Math.abs(before[i]));
      }
      assertTrue(worst > 0, "the base really is quantised");
      assertTrue(worst < 0.1 * scale, "logits move by " + worst + " of " + scale);
      assertEquals(arraysBefore - 12, manager.getManagedArrays().size(), "dequantised weights die with the step");
    }
  }

  @Test
  void theMergesRuleNamesExactlyTheWeightsQuantizeReplaces() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(MODEL, 9, manager);
      Map<String, long[]> shapes = new TreeMap<>();
      model.namedParameters().forEach((path, p) -> shapes.put(path, p.getArray().getShape().getShape()));
      Set<String> byRule = new TreeSet<>();
      shapes.forEach((path, shape) -> {
        if (QuantizedBase.holdsAsNf4(path, shape)) {
          byRule.add(path);
        }
      });

      QuantizedBase.quantize(model);

      Set<String> replaced = new TreeSet<>(shapes.keySet());
      replaced.removeAll(model.namedParameters().keySet());
      assertEquals(replaced, byRule);
      assertEquals(12, byRule.size());
    }
    assertTrue(QuantizedBase.holdsAsNf4("model.layers.3.self_attn.q_proj.weight", new long[] {8, 8}), "LLaMA names");
    assertFalse(QuantizedBase.holdsAsNf4("model.layers.3.input_layernorm.weight", new long[] {8}));
    assertFalse(QuantizedBase.holdsAsNf4("lm_head.weight", new long[] {8, 8}));
  }

  @Test
  void theRoundTripTransformIsWhatTheNf4BaseComputesWith() {
    float[] values = new float[3 * 64];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) Math.sin(i * 0.37) * (1 + i % 5);
    }
    long[] shape = {3, 64};
    String name = "lm.layers.1.mlp.up_proj.weight";
    assertTrue(QuantizedBase.ROUND_TRIP.transforms(name, shape));
    assertFalse(QuantizedBase.ROUND_TRIP.transforms("lm.layers.1.mlp.up_proj.bias", new long[] {3}));
    try (NDManager manager = NDManager.newBaseManager()) {
      assertArrayEquals(Nf4Tensor.quantize(values, shape).materialize(manager).toFloatArray(),
          QuantizedBase.ROUND_TRIP.apply(name, shape, values.clone()));
    }
  }

  @Test
  void qloraTrainingReducesTheLossWithTheBaseFrozen() throws IOException {
    ColourSquares data = new ColourSquares(64, 2, MODEL.imageSize(), 8);
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(MODEL, 4, manager);
      Tuning qlora = new Tuning(Tuning.Method.QLORA, new LoraConfig(8, 16, 0.05, ALL));
      qlora.adapt(model);
      float[] lmHead = model.namedParameters().get("lm.lm_head.weight").getArray().toFloatArray();
      List<Double> losses = new ArrayList<>();
      TrainerConfig config = new TrainerConfig(
          TrainerConfig.Stage.TUNE, 1e-2, 0.1, "cosine", 0, 16, 5, 0, 4, 0, qlora);
      new TrainingLoop(model, config, data, dir).onStep((step, total, loss, tps) -> losses.add(loss)).run();
      double first = losses.get(0);
      double last = losses.subList(losses.size() - 3, losses.size()).stream()
          .mapToDouble(Double::doubleValue).average().orElseThrow();
      assertTrue(last < first * 0.8, "loss " + first + " -> " + last + ": " + losses);
      assertArrayEquals(lmHead,
          model.namedParameters().get("lm.lm_head.weight").getArray().toFloatArray(), "the base stays frozen");
    }
  }

  private static float[] logits(TinyLlava model, ColourSquares data) {
    try (NDManager scope = model.manager().newSubManager()) {
      LlavaBatch batch = LlavaBatch.of(List.of(data.get(0), data.get(1)), MODEL);
      return model.logits(batch.inputs(scope, MODEL)).toFloatArray();
    }
  }
}
