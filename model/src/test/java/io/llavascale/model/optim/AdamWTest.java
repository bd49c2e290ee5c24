package io.llavascale.model.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {
  private static final float[] START = {0.5f, -1.0f, 2.0f, 0.25f};
  private static final float[] GRAD_SCALE = {1f, -2f, 0.5f, 3f};

  @Test
  void matchesTheTorchUpdateRule() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, Parameter> params = parameter(manager);
      try (AdamW adamW = new AdamW(0.9, 0.999, 1e-8, 0.1, manager)) {
        double[] w = {0.5, -1.0, 2.0, 0.25};
        double[] m = new double[4];
        double[] v = new double[4];
        for (int t = 1; t <= 3; t++) {
          double lr = 0.01 * t;
          backward(params, manager, t);
          adamW.step(params, lr);
          for (int i = 0; i < 4; i++) {
            double g = GRAD_SCALE[i] * t;
            w[i] *= 1 - lr * 0.1;
            m[i] = 0.9 * m[i] + 0.1 * g;
            v[i] = 0.999 * v[i] + 0.001 * g * g;
            double denom = Math.sqrt(v[i] / (1 - Math.pow(0.999, t))) + 1e-8;
            w[i] -= lr / (1 - Math.pow(0.9, t)) * m[i] / denom;
          }
        }
        float[] actual = params.get("w").getArray().toFloatArray();
        for (int i = 0; i < 4; i++) {
          assertEquals(w[i], actual[i], 1e-6);
        }
        assertEquals(3, adamW.stepCount());
      }
    }
  }

  @Test
  void restoredStateContinuesBitForBit() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, Parameter> straight = parameter(manager);
      Map<String, Parameter> resumed = parameter(manager);
      try (AdamW a = AdamW.withDefaults(0.01, manager); AdamW first = AdamW.withDefaults(0.01, manager);
          AdamW second = AdamW.withDefaults(0.01, manager)) {
        for (int t = 1; t <= 2; t++) {
          backward(straight, manager, t);
          a.step(straight, 0.1);
          backward(resumed, manager, t);
          first.step(resumed, 0.1);
        }
        Map<String, NDArray> saved = first.state();
        assertEquals(2, saved.size());
        second.restore(first.stepCount(), "w", new Shape(2, 2),
            saved.get("w" + AdamW.EXP_AVG).toFloatArray(),
            saved.get("w" + AdamW.EXP_AVG_SQ).toFloatArray());
        for (int t = 3; t <= 5; t++) {
          backward(straight, manager, t);
          a.step(straight, 0.1);
          backward(resumed, manager, t);
          second.step(resumed, 0.1);
        }
        assertArrayEquals(straight.get("w").getArray().toFloatArray(),
            resumed.get("w").getArray().toFloatArray());
      }
    }
  }

  /** A 2x2 matrix: matrices get weight decay (vectors would not), so the decay term is covered. */
  private static Map<String, Parameter> parameter(NDManager manager) {
    Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT)
        .optArray(manager.create(START, new Shape(2, 2))).build();
    p.getArray().setRequiresGradient(true);
    Map<String, Parameter> params = new LinkedHashMap<>();
    params.put("w", p);
    return params;
  }

  /** Sets grad(w) = GRAD_SCALE * t via loss = sum(w * GRAD_SCALE * t). */
  private static void backward(Map<String, Parameter> params, NDManager manager, int t) {
    try (NDManager scope = manager.newSubManager();
        GradientCollector collector = manager.getEngine().newGradientCollector()) {
      NDArray scale = scope.create(GRAD_SCALE, new Shape(2, 2)).mul(t);
      collector.backward(scale.mul(params.get("w").getArray()).sum());
    }
  }
}
