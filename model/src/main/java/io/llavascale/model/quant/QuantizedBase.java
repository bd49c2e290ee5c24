package io.llavascale.model.quant;

import io.llavascale.model.llava.Dense;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.merge.BaseTransform;
import java.util.List;

/**
 * QLoRA's frozen base: every decoder linear weight held only as {@link Nf4Tensor} and dequantised
 * per forward pass. Embeddings, norms, biases, the LM head and the projector stay F32, as they do
 * under bitsandbytes in LLaVA's QLoRA set-up.
 *
 * @param layers     linear layers quantised
 * @param parameters weight values they hold
 * @param bytesHeld  bytes those values take in memory (codes, absmax codes and their scales)
 */
public record QuantizedBase(int layers, long parameters, long bytesHeld) {
  /** Where decoder layers' tensors are stored: ours ({@code lm.layers.}) and Hugging Face LLaMA's. */
  private static final List<String> DECODER_LAYERS = List.of("lm.layers.", "model.layers.");

  /**
   * What a QLoRA adapter was trained against, as the merge's base transform: every weight the NF4
   * base holds comes back as dequant(quant(W)), quantised exactly as {@link #quantize} does (blocks
   * of 64, double-quantised absmaxes); every other tensor as stored.
   */
  public static final BaseTransform ROUND_TRIP = new BaseTransform() {
    @Override
    public boolean transforms(String name, long[] shape) {
      return holdsAsNf4(name, shape);
    }

    @Override
    public float[] apply(String name, long[] shape, float[] values) {
      return Nf4Tensor.quantize(values, shape).dequantize();
    }
  };

  /**
   * Whether a stored tensor is one QLoRA holds as NF4: a linear weight [out, in] inside a decoder
   * layer. In the tiny model these are exactly the weights of {@link TinyLlava#decoderLinears} that
   * {@link #quantize} replaces (norm weights and biases are 1-D); in a LLaMA, the Linear layers
   * bitsandbytes quantises (the LM head, embeddings and projector sit outside the layers).
   */
  public static boolean holdsAsNf4(String name, long[] shape) {
    return shape.length == 2 && name.endsWith(".weight") && DECODER_LAYERS.stream().anyMatch(name::startsWith);
  }

  /** Quantises the model's decoder linear weights in place and reports what they now take. */
  public static QuantizedBase quantize(TinyLlava model) {
    int layers = 0;
    long parameters = 0;
    long bytes = 0;
    for (Dense layer : model.decoderLinears().values()) {
      Nf4Tensor held = layer.holdWeightAs(Nf4Tensor::quantize);
      layers++;
      parameters += held.parameters();
      bytes += held.bytesHeld();
    }
    return new QuantizedBase(layers, parameters, bytes);
  }

  public double bytesPerParameter() {
    return (double) bytesHeld / parameters;
  }

  public double bitsPerParameter() {
    return 8 * bytesPerParameter();
  }
}
