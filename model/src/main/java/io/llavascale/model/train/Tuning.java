package io.llavascale.model.train;

import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.lora.LoraConfig;
import io.llavascale.model.lora.LoraLayers;
import io.llavascale.model.quant.QuantizedBase;
import java.util.Optional;

/**
 * How stage 2 trains the LM: FULL updates its weights; LORA trains adapters on its linear layers
 * with the base frozen; QLORA does the same on a base held as NF4. The projector trains in all
 * three (the paper's "adapters + projector").
 *
 * @param lora the adapters' settings; null for FULL
 */
public record Tuning(Method method, LoraConfig lora) {
  public static final Tuning FULL = new Tuning(Method.FULL, null);

  public enum Method {
    FULL,
    LORA,
    QLORA
  }

  public Tuning {
    if ((method == Method.FULL) != (lora == null)) {
      throw new IllegalArgumentException(method + " tuning " + (lora == null ? "needs" : "takes no")
          + " LoRA settings");
    }
  }

  public boolean adapters() {
    return method != Method.FULL;
  }

  /**
   * Makes a loaded model what this method trains: QLoRA first quantises the decoder's linear
   * weights to NF4, then LoRA and QLoRA attach adapters. Full tuning leaves the model as it is.
   *
   * @return the NF4 base's footprint for QLoRA
   * @throws IllegalArgumentException when a target module is not a linear layer of the model
   */
  public Optional<QuantizedBase> adapt(TinyLlava model) {
    if (!adapters()) {
      return Optional.empty();
    }
    Optional<QuantizedBase> quantized =
        method == Method.QLORA ? Optional.of(QuantizedBase.quantize(model)) : Optional.empty();
    LoraLayers.attach(model, lora);
    return quantized;
  }
}
