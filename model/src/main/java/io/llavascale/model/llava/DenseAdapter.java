package io.llavascale.model.llava;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** A trainable term added to a {@link Dense} layer's output (a LoRA adapter). */
public interface DenseAdapter {
  /** The adapter's blocks by name; they become children of the layer it is attached to. */
  Map<String, LlavaBlock> blocks();

  /** The term for input x [..., in]: [..., out], in x's manager. */
  NDArray apply(NDArray x);
}
