package io.llavascale.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScalarsTest {
  @Test
  void backwardSurvivesTheGarbageCollectorFreeingDirectBuffers() {
    Autograd.offOnThisThread();
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray weight = manager.create(new float[] {1, 2, 3, 4}).duplicate();
      weight.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray loss = Scalars.mul(Scalars.div(weight, 4.0), 3.0).sum();
        reuseFreedDirectMemoryWithNaN();
        collector.backward(loss);
      }
      assertArrayEquals(new float[] {0.75f, 0.75f, 0.75f, 0.75f}, weight.getGradient().toFloatArray(), 1e-7f);
    }
  }

  /** Lets the GC free unreachable direct buffers, then fills fresh small ones with NaN. */
  private static void reuseFreedDirectMemoryWithNaN() {
    List<ByteBuffer> filler = new ArrayList<>();
    for (int round = 0; round < 20; round++) {
      System.gc();
      for (int i = 0; i < 200; i++) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        buffer.putFloat(0, Float.NaN);
        filler.add(buffer);
      }
    }
  }
}
