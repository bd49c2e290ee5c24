package io.llavascale.model.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** A learned [rows, dim] table looked up by int64 ids (tokens or positions). */
public final class EmbeddingTable extends LlavaBlock {
  private final int dim;
  private final Parameter weight;

  public EmbeddingTable(int rows, int dim, double std) {
    this.dim = dim;
    this.weight = addParameter("weight", new Shape(rows, dim), InitRule.normal(std));
  }

  /** ids [...] -> [..., dim]; the result lives in the ids' manager, not the model's. */
  public NDArray apply(NDArray ids) {
    return Embedding.embedding(ids, weight.getArray(), SparseFormat.DENSE).singletonOrThrow();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(apply(inputs.singletonOrThrow()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0].add(dim)};
  }
}
