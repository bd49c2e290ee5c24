package io.llavascale.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.llavascale.model.Autograd;
import io.llavascale.model.llava.LlavaBatch;
import io.llavascale.model.llava.StepClock;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.lora.LoraConfig;
import io.llavascale.model.testing.ColourSquares;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Backward must not read memory a GC could have freed after the forward pass (DJL's scalar
 * arithmetic did: a step's gradients came out 1e31 or inf whenever a GC fell in between).
 */
class BackwardAfterGcTest {
  static final TinyLlavaConfig MODEL = ColourSquares.tinyConfig(32);
  static final ColourSquares DATA = new ColourSquares(8, 1, MODEL.imageSize(), 4);

  @Test
  void aGarbageCollectionBetweenForwardAndBackwardChangesNoGradient() {
    Autograd.offOnThisThread();
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(MODEL, 3, manager);
      Tuning lora = new Tuning(Tuning.Method.LORA, new LoraConfig(2, 4, 0.1, List.of("q_proj", "up_proj")));
      lora.adapt(model);
      model.namedParameters().forEach((path, p) -> {
        if (path.endsWith("lora_B.weight")) {
          p.getArray().set(new float[Math.toIntExact(p.getArray().size())]);
          p.getArray().addi(0.05f);
        }
      });
      TrainerConfig config = new TrainerConfig(TrainerConfig.Stage.TUNE, 1e-3, 0, "cosine", 0, 8, 1, 0, 3, 0, lora);
      Map<String, Parameter> trainable = model.trainOnly(config::trains);
      float[] quiet = gradients(model, trainable, false);
      float[] collected = gradients(model, trainable, true);
      for (float g : collected) {
        assertTrue(Float.isFinite(g) && Math.abs(g) < 1e3, "gradient " + g);
      }
      assertArrayEquals(quiet, collected);
    }
  }

  private static float[] gradients(TinyLlava model, Map<String, Parameter> trainable, boolean collect) {
    LlavaBatch batch = LlavaBatch.of(List.of(DATA.get(0), DATA.get(1), DATA.get(3)), MODEL);
    try (NDManager scope = model.manager().newSubManager();
        StepClock.InStep step = model.clock().enter(0)) {
      NDArray targets = scope.create(batch.targets(), new Shape(batch.batchSize(), batch.seqLength()));
      try (GradientCollector collector = scope.getEngine().newGradientCollector()) {
        NDArray loss = MaskedCrossEntropy.mean(model.logits(batch.inputs(scope, MODEL)), targets, batch.targetCount());
        if (collect) {
          System.gc();
        }
        collector.backward(loss);
      }
      float[] all = new float[0];
      for (Parameter p : trainable.values()) {
        NDArray g = p.getArray().getGradient();
        g.attach(scope);
        float[] values = g.toFloatArray();
        float[] joined = new float[all.length + values.length];
        System.arraycopy(all, 0, joined, 0, all.length);
        System.arraycopy(values, 0, joined, all.length, values.length);
        all = joined;
        Autograd.zeroGradient(p.getArray());
      }
      return all;
    }
  }
}
