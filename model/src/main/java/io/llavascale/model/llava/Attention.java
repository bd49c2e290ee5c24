package io.llavascale.model.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.llavascale.model.Autograd;

/**
 * Causal multi-head self-attention with separate q/k/v/o projections, named like LLaMA's so LoRA
 * can target {@code q_proj}, {@code k_proj}, {@code v_proj} and {@code o_proj} by path.
 */
public final class Attention extends LlavaBlock {
  private final int heads;
  private final Dense qProj;
  private final Dense kProj;
  private final Dense vProj;
  private final Dense oProj;

  public Attention(int hidden, int heads, double std) {
    this.heads = heads;
    this.qProj = addChildBlock("q_proj", new Dense(hidden, hidden, std));
    this.kProj = addChildBlock("k_proj", new Dense(hidden, hidden, std));
    this.vProj = addChildBlock("v_proj", new Dense(hidden, hidden, std));
    this.oProj = addChildBlock("o_proj", new Dense(hidden, hidden, std));
  }

  /**
   * @param x    [batch, seq, hidden]
   * @param mask [seq, seq] additive mask: 0 where a position may look, a large negative elsewhere
   */
  public NDArray apply(NDArray x, NDArray mask) {
    Shape shape = x.getShape();
    long batch = shape.get(0);
    long seq = shape.get(1);
    long hidden = shape.get(2);
    long headDim = hidden / heads;
    NDArray q = splitHeads(qProj.apply(x), batch, seq, headDim);
    NDArray k = splitHeads(kProj.apply(x), batch, seq, headDim);
    NDArray v = splitHeads(vProj.apply(x), batch, seq, headDim);
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
    scores = scores.div(Autograd.scalar(scores, Math.sqrt(headDim))).add(mask);
    NDArray context = scores.softmax(-1).matMul(v);
    return oProj.apply(context.transpose(0, 2, 1, 3).reshape(batch, seq, hidden));
  }

  /** [batch, seq, hidden] -> [batch, heads, seq, headDim]. */
  private NDArray splitHeads(NDArray x, long batch, long seq, long headDim) {
    return x.reshape(batch, seq, heads, headDim).transpose(0, 2, 1, 3);
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
