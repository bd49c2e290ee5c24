package io.llavascale.model.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Pre-norm transformer decoder layer: x + attn(norm(x)), then x + mlp(norm(x)). */
public final class DecoderLayer extends LlavaBlock {
  private final Norm attnNorm;
  private final Attention attn;
  private final Norm mlpNorm;
  private final Mlp mlp;

  public DecoderLayer(TinyLlavaConfig config, double std) {
    this.attnNorm = addChildBlock("attn_norm", new Norm(config.hidden()));
    this.attn = addChildBlock("attn", new Attention(config.hidden(), config.heads(), std));
    this.mlpNorm = addChildBlock("mlp_norm", new Norm(config.hidden()));
    this.mlp = addChildBlock("mlp", new Mlp(config.hidden(), config.mlpDim(), std));
  }

  public NDArray apply(NDArray x, NDArray mask) {
    NDArray h = x.add(attn.apply(attnNorm.apply(x), mask));
    return h.add(mlp.apply(mlpNorm.apply(h)));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(apply(inputs.get(0), inputs.get(1)));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
