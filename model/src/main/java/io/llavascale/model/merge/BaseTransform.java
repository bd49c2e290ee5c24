package io.llavascale.model.merge;

/**
 * What the adapters were trained against, as a function of the stored base weights. LoRA trains
 * against the weights as stored (identity); QLoRA trains against dequant(quant(W)), so its merge
 * plugs the NF4 round trip in here and the adapters land on the weights they learned from.
 */
public interface BaseTransform {
  BaseTransform IDENTITY = new BaseTransform() {
    @Override
    public boolean transforms(String name, long[] shape) {
      return false;
    }

    @Override
    public float[] apply(String name, long[] shape, float[] values) {
      return values;
    }
  };

  /** Whether {@code name} changes; tensors that do not are copied byte for byte. */
  boolean transforms(String name, long[] shape);

  /** The weights the adapters saw; may return {@code values} itself, changed in place. */
  float[] apply(String name, long[] shape, float[] values);
}
