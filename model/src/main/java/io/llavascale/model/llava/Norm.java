package io.llavascale.model.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** LayerNorm over the last axis with a learned scale and shift. */
public final class Norm extends LlavaBlock {
  private static final float EPS = 1e-5f;

  private final Shape normalized;
  private final Parameter weight;
  private final Parameter bias;

  public Norm(int dim) {
    this.normalized = new Shape(dim);
    this.weight = addParameter("weight", normalized, InitRule.constant(1f));
    this.bias = addParameter("bias", normalized, InitRule.constant(0f));
  }

  public NDArray apply(NDArray x) {
    return LayerNorm.layerNorm(x, normalized, weight.getArray(), bias.getArray(), EPS)
        .singletonOrThrow();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(apply(inputs.singletonOrThrow()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}
