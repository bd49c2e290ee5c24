package io.llavascale.model.quant;

import io.llavascale.model.llava.Dense;
import io.llavascale.model.llava.TinyLlava;

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
