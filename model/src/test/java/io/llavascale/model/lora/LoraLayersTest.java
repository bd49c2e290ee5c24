package io.llavascale.model.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.llavascale.model.llava.Dense;
import io.llavascale.model.llava.LlavaBatch;
import io.llavascale.model.llava.StepClock;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.testing.ColourSquares;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LoraLayersTest {
  static final TinyLlavaConfig MODEL = ColourSquares.tinyConfig(32);
  static final List<String> ALL = List.of("q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj");
  static final ColourSquares DATA = new ColourSquares(4, 3, MODEL.imageSize(), 2);

  @Test
  void adaptersAreNamedAndShapedAsPeftWritesThem() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(MODEL, 5, manager);
      Map<String, Dense> adapted = LoraLayers.attach(model, new LoraConfig(4, 8, 0, List.of("q_proj", "down_proj")));
      assertEquals(List.of("lm.layers.0.attn.q_proj", "lm.layers.0.mlp.down_proj",
          "lm.layers.1.attn.q_proj", "lm.layers.1.mlp.down_proj"), List.copyOf(adapted.keySet()));
      Map<String, Parameter> parameters = model.namedParameters();
      assertEquals(new Shape(4, 32), shape(parameters, "lm.layers.0.attn.q_proj.lora_A.weight"));
      assertEquals(new Shape(32, 4), shape(parameters, "lm.layers.0.attn.q_proj.lora_B.weight"));
      assertEquals(new Shape(4, 64), shape(parameters, "lm.layers.1.mlp.down_proj.lora_A.weight"));
      assertEquals(new Shape(32, 4), shape(parameters, "lm.layers.1.mlp.down_proj.lora_B.weight"));
      assertEquals(8, parameters.keySet().stream().filter(LoraLayers::isAdapterParameter).count());
      assertFalse(parameters.containsKey("lm.layers.0.attn.k_proj.lora_A.weight"));

      float[] a = parameters.get("lm.layers.0.attn.q_proj.lora_A.weight").getArray().toFloatArray();
      float bound = (float) (1 / Math.sqrt(32));
      assertTrue(max(a) <= bound && max(a) > bound / 2, "A is kaiming-uniform in +-1/sqrt(in)");
      assertEquals(0f, max(parameters.get("lm.layers.0.attn.q_proj.lora_B.weight").getArray().toFloatArray()));
      float[] otherLayer = parameters.get("lm.layers.1.attn.q_proj.lora_A.weight").getArray().toFloatArray();
      assertFalse(Arrays.equals(a, otherLayer), "each adapter is drawn from its own path");
    }
  }

  @Test
  void unknownTargetModuleFailsNamingTheAllowedOnes() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(MODEL, 5, manager);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LoraLayers.attach(model, new LoraConfig(4, 8, 0, List.of("q_proj", "gate_proj"))));
      assertTrue(e.getMessage().contains("[gate_proj]")
          && e.getMessage().contains("allowed: q_proj, k_proj, v_proj, o_proj, up_proj, down_proj"), e.getMessage());
      assertTrue(model.namedParameters().keySet().stream().noneMatch(LoraLayers::isAdapterParameter),
          "nothing is attached when a target is wrong");
    }
  }

  @Test
  void freshAdaptersLeaveTheOutputExactlyAsTheBase() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava base = TinyLlava.create(MODEL, 5, manager);
      TinyLlava adapted = TinyLlava.create(MODEL, 5, manager);
      LoraLayers.attach(adapted, new LoraConfig(4, 8, 0.3, ALL));
      try (StepClock.InStep step = adapted.clock().enter(3)) {
        assertArrayEquals(logits(base), logits(adapted), "B = 0: even with dropout on, the term is zero");
      }
    }
  }

  @Test
  void theAdapterAddsScaleTimesBATimesX() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(MODEL, 5, manager);
      LoraConfig config = new LoraConfig(4, 16, 0, List.of("up_proj"));
      Dense layer = LoraLayers.attach(model, config).get("lm.layers.0.mlp.up_proj");
      Map<String, Parameter> p = model.namedParameters();
      String path = "lm.layers.0.mlp.up_proj";
      p.get(path + ".lora_B.weight").getArray().set(random(64 * 4, 1));
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = scope.create(random(3 * 32, 2), new Shape(3, 32));
        NDArray w = p.get(path + ".weight").getArray().duplicate();
        NDArray b = p.get(path + ".bias").getArray().duplicate();
        NDArray loraA = p.get(path + ".lora_A.weight").getArray().duplicate();
        NDArray loraB = p.get(path + ".lora_B.weight").getArray().duplicate();
        // The merge contract: W' = W + (alpha / r) B A, with A [r, in] and B [out, r].
        NDArray merged = w.add(loraB.matMul(loraA).mul((float) config.scale()));
        NDArray expected = x.matMul(merged.transpose()).add(b);
        float[] got = layer.apply(x).toFloatArray();
        assertArrayEquals(expected.toFloatArray(), got, 1e-5f);
        assertFalse(Arrays.equals(x.matMul(w.transpose()).add(b).toFloatArray(), got), "the term is not zero");
      }
    }
  }

  @Test
  void dropoutIsSeededByStepAndOffOutsideTraining() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(MODEL, 5, manager);
      LoraLayers.attach(model, new LoraConfig(4, 8, 0.5, ALL));
      model.namedParameters().forEach((path, parameter) -> {
        if (path.endsWith("lora_B.weight")) {
          parameter.getArray().set(random(Math.toIntExact(parameter.getArray().size()), path.hashCode()));
        }
      });
      TinyLlava twin = TinyLlava.create(MODEL, 5, manager);
      LoraLayers.attach(twin, new LoraConfig(4, 8, 0.5, ALL));
      model.namedParameters().forEach((path, parameter) ->
          twin.namedParameters().get(path).getArray().set(parameter.getArray().toFloatArray()));

      float[] inference = logits(model);
      assertArrayEquals(inference, logits(model), "no dropout outside a step");
      float[] step7 = inStep(model, 7);
      assertFalse(Arrays.equals(inference, step7), "dropout acts inside a step");
      assertArrayEquals(step7, inStep(twin, 7), "same seed and step, same masks (what exact resume needs)");
      assertFalse(Arrays.equals(step7, inStep(model, 8)), "another step, other masks");
    }
  }

  private static float[] inStep(TinyLlava model, long step) {
    try (StepClock.InStep in = model.clock().enter(step)) {
      return logits(model);
    }
  }

  static float[] logits(TinyLlava model) {
    try (NDManager scope = model.manager().newSubManager()) {
      LlavaBatch batch = LlavaBatch.of(List.of(DATA.get(0), DATA.get(1)), MODEL);
      return model.logits(batch.inputs(scope, MODEL)).toFloatArray();
    }
  }

  private static Shape shape(Map<String, Parameter> parameters, String path) {
    assertTrue(parameters.containsKey(path), path + " in " + parameters.keySet());
    return parameters.get(path).getArray().getShape();
  }

  private static float max(float[] values) {
    float max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  private static float[] random(int count, long seed) {
    Random random = new Random(seed);
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }
}
