package io.llavascale.model.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Position-wise feed-forward: up_proj, GELU, down_proj. */
public final class Mlp extends LlavaBlock {
  private final Dense upProj;
  private final Dense downProj;

  public Mlp(int hidden, int mlpDim, double std) {
    this.upProj = addChildBlock("up_proj", new Dense(hidden, mlpDim, std));
    this.downProj = addChildBlock("down_proj", new Dense(mlpDim, hidden, std));
  }

  public NDArray apply(NDArray x) {
    return downProj.apply(Activation.gelu(upProj.apply(x)));
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
