package io.llavascale.model.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.function.BiFunction;

/**
 * y = x W^T + b over the last axis; W is [out, in] as in PyTorch, so paths and layouts match HF.
 *
 * <p>Two hooks serve parameter-efficient tuning without a second kind of layer in the model: an
 * {@link DenseAdapter} adds a trainable term to the output (LoRA), and {@link #holdWeightAs} swaps
 * the F32 weight for a compact frozen form (QLoRA's NF4 base).
 */
public class Dense extends LlavaBlock {
  private static final String WEIGHT = "weight";

  private final int out;
  private final Shape weightShape;
  private final Parameter weight;
  private final Parameter bias;
  private HeldWeight heldWeight;
  private DenseAdapter adapter;

  public Dense(int in, int out, double weightStd) {
    this(in, out, InitRule.normal(weightStd), true);
  }

  /** @param withBias false for a bias-free layer (LoRA's A and B, as PEFT builds them) */
  public Dense(int in, int out, InitRule weightInit, boolean withBias) {
    this.out = out;
    this.weightShape = new Shape(out, in);
    this.weight = addParameter(WEIGHT, weightShape, weightInit);
    this.bias = withBias ? addParameter("bias", new Shape(out), InitRule.constant(0f)) : null;
  }

  public NDArray apply(NDArray x) {
    NDArray w = heldWeight == null ? weight.getArray() : heldWeight.materialize(x.getManager());
    NDArray y = (bias == null ? Linear.linear(x, w) : Linear.linear(x, w, bias.getArray()))
        .singletonOrThrow();
    return adapter == null ? y : y.add(adapter.apply(x));
  }

  /**
   * Adds {@code adapter(x)} to this layer's output from now on. The adapter's blocks become
   * children, so their parameters are keyed under this layer's path ({@code <path>.lora_A.weight}).
   */
  public void attach(DenseAdapter adapter) {
    if (this.adapter != null) {
      throw new IllegalStateException("this layer already carries an adapter");
    }
    adapter.blocks().forEach((name, block) -> addChildBlock(name, block));
    this.adapter = adapter;
  }

  public int inFeatures() {
    return Math.toIntExact(weightShape.get(1));
  }

  public int outFeatures() {
    return out;
  }

  public boolean hasAdapter() {
    return adapter != null;
  }

  /**
   * Hands the F32 weight to {@code encode} (values row-major, shape [out, in]) and keeps only what
   * it returns: the weight stops being a parameter, its array is freed, and each forward pass
   * materialises it again in the input's scope. The layer is frozen for good.
   */
  public <W extends HeldWeight> W holdWeightAs(BiFunction<float[], long[], W> encode) {
    if (heldWeight != null) {
      throw new IllegalStateException("this layer's weight is already held in another form");
    }
    W held = encode.apply(weight.getArray().toFloatArray(), weightShape.getShape());
    removeParameter(WEIGHT);
    heldWeight = held;
    return held;
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
