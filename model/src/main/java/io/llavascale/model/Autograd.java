package io.llavascale.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's autograd switch is per thread and on by default; DJL turns it off only on the thread
 * that starts the engine. Our AdamW updates parameters in place, which PyTorch refuses while
 * autograd records ("a leaf Variable that requires grad is being used in an in-place operation"),
 * and decoding needs no graph. Worker pools run stages on whatever thread is free, so every entry
 * point switches it off for its own thread; {@code GradientCollector} turns it on while it records.
 */
public final class Autograd {
  private Autograd() {}

  public static void offOnThisThread() {
    Engine.getEngine("PyTorch"); // loads the native library on first use
    JniUtils.setGradMode(false);
  }

  /**
   * A scalar for arithmetic that backward will differentiate, held by {@code like}'s manager (the
   * step's scope). Never {@code x.mul(2f)} / {@code x.div(n)} there: DJL wraps the number in a
   * tensor over a Java buffer and closes it at once, but autograd keeps that tensor for backward,
   * so a GC between forward and backward frees its memory and every gradient upstream comes out
   * as garbage (1e31 or inf, at random steps; a System.gc() before backward reproduces it).
   */
  public static NDArray scalar(NDArray like, double value) {
    return like.getManager().create((float) value);
  }

  /**
   * Resets a parameter's gradient to zero. Not {@code grad * 0}: one inf in a gradient would turn
   * into NaN that backward then accumulates into for ever after.
   */
  public static void zeroGradient(NDArray parameter) {
    JniUtils.zeroGrad((PtNDArray) parameter);
  }
}
