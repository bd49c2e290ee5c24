package io.llavascale.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant that is safe inside a graph autograd records. DJL's
 * {@code x.div(Number)} wraps the number in an array over a Java direct buffer
 * ({@code torch::from_blob}, no copy) and closes it right after the op; autograd keeps that array
 * as a saved tensor for backward, so once the garbage collector frees the buffer, backward reads
 * freed memory. Measured: NaN gradients on most steps with a forced GC every few milliseconds, and
 * a rare skipped update in ordinary runs, enough to break exact resume. Here the constant lives in
 * memory torch allocated, which the saved tensor keeps alive.
 */
public final class Scalars {
  private Scalars() {}

  /** {@code x * factor}. */
  public static NDArray mul(NDArray x, double factor) {
    try (NDArray constant = constantLike(x, factor)) {
      return x.mul(constant);
    }
  }

  /** {@code x / divisor}. */
  public static NDArray div(NDArray x, double divisor) {
    try (NDArray constant = constantLike(x, divisor)) {
      return x.div(constant);
    }
  }

  /** Closing the returned handle is safe: torch's reference count keeps the storage for backward. */
  private static NDArray constantLike(NDArray x, double value) {
    return x.getManager().full(new Shape(), (float) value, x.getDataType());
  }
}
