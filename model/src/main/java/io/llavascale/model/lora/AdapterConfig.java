package io.llavascale.model.lora;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code adapter_config.json} with PEFT's field names, so PEFT, LLaVA's loader and our merge read
 * it alike. Fields PEFT writes that we do not use are ignored on read.
 *
 * @param baseModel where the base weights are (for us: the stage-1 output URI)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AdapterConfig(
    @JsonProperty("peft_type") String peftType,
    @JsonProperty("task_type") String taskType,
    @JsonProperty("base_model_name_or_path") String baseModel,
    @JsonProperty("r") int r,
    @JsonProperty("lora_alpha") int loraAlpha,
    @JsonProperty("lora_dropout") double loraDropout,
    @JsonProperty("target_modules") List<String> targetModules,
    @JsonProperty("bias") String bias,
    @JsonProperty("fan_in_fan_out") boolean fanInFanOut,
    @JsonProperty("inference_mode") boolean inferenceMode) {

  public static final String LORA = "LORA";

  public static AdapterConfig of(LoraConfig lora, String baseModel) {
    return new AdapterConfig(LORA, "CAUSAL_LM", baseModel, lora.rank(), lora.alpha(), lora.dropout(),
        lora.targetModules(), "none", false, true);
  }

  /** The LoRA settings; refuses what our adapters cannot be (another PEFT type, trained biases). */
  public LoraConfig lora() {
    if (!LORA.equals(peftType) || !"none".equals(bias) || fanInFanOut) {
      throw new IllegalArgumentException("adapter is peft_type " + peftType + ", bias " + bias
          + ", fan_in_fan_out " + fanInFanOut + "; only LORA with bias none and [out, in] weights is supported");
    }
    return new LoraConfig(r, loraAlpha, loraDropout, targetModules);
  }
}
