package io.llavascale.model.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** A frozen {@link Dense} weight kept in a compact form and materialised per forward pass. */
public interface HeldWeight {
  /** The weight [out, in] as F32 in {@code scope}, freed with it. */
  NDArray materialize(NDManager scope);

  /** Bytes this form keeps in memory between forward passes. */
  long bytesHeld();

  /** Weight values it stands for. */
  long parameters();
}
