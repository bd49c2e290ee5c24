package io.llavascale.model.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** y = x W^T + b over the last axis; W is [out, in] as in PyTorch, so paths and layouts match HF. */
public class Dense extends LlavaBlock {
  private final int out;
  private final Parameter weight;
  private final Parameter bias;

  public Dense(int in, int out, double weightStd) {
    this.out = out;
    this.weight = addParameter("weight", new Shape(out, in), InitRule.normal(weightStd));
    this.bias = addParameter("bias", new Shape(out), InitRule.constant(0f));
  }

  public NDArray apply(NDArray x) {
    return Linear.linear(x, weight.getArray(), bias.getArray()).singletonOrThrow();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(apply(inputs.singletonOrThrow()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {in.slice(0, in.dimension() - 1).add(out)};
  }
}
