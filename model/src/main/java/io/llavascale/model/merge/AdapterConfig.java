package io.llavascale.model.merge;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PEFT's {@code adapter_config.json} for a LoRA adapter, the fields the merge needs. Fields PEFT
 * writes that do not change the merge (task_type, base_model_name_or_path, ...) are ignored.
 *
 * @param peftType       must be LORA
 * @param r              rank: lora_A is [r, in], lora_B is [out, r]
 * @param loraAlpha      the update is scaled by alpha / r (alpha / sqrt(r) with rsLoRA)
 * @param loraDropout    training only; recorded, not used by the merge
 * @param targetModules  module names that got adapters (PEFT also accepts one regex string)
 * @param bias           must be "none": trained biases would have to be merged too
 * @param fanInFanOut    must be false (true means GPT-2 Conv1D weights stored transposed)
 * @param useRslora      scale by alpha / sqrt(r) instead of alpha / r
 * @param useDora        must be false (DoRA also rescales weight columns)
 * @param rankPattern    must be empty (per-module ranks)
 * @param alphaPattern   must be empty (per-module alphas)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AdapterConfig(
    @JsonProperty("peft_type") String peftType,
    @JsonProperty("r") int r,
    @JsonProperty("lora_alpha") double loraAlpha,
    @JsonProperty("lora_dropout") double loraDropout,
    @JsonProperty("target_modules") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<String> targetModules,
    @JsonProperty("bias") String bias,
    @JsonProperty("fan_in_fan_out") boolean fanInFanOut,
    @JsonProperty("use_rslora") boolean useRslora,
    @JsonProperty("use_dora") boolean useDora,
    @JsonProperty("rank_pattern") Map<String, Object> rankPattern,
    @JsonProperty("alpha_pattern") Map<String, Object> alphaPattern) {

  public static final String FILE_NAME = "adapter_config.json";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A plain LoRA config as PEFT writes it. */
  public static AdapterConfig lora(int r, double alpha, double dropout, List<String> targetModules) {
    return new AdapterConfig("LORA", r, alpha, dropout, targetModules, "none", false, false, false, Map.of(), Map.of());
  }

  /** The update's scale: alpha / r, or alpha / sqrt(r) with rsLoRA. */
  @JsonIgnore
  public double scale() {
    return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
  }

  /** Reads and validates; every problem is named with its field and what is allowed. */
  public static AdapterConfig read(Path file) {
    AdapterConfig config;
    try {
      config = JSON.readValue(file.toFile(), AdapterConfig.class);
    } catch (IOException e) {
      throw new InvalidAdapterException(file + " is not a readable PEFT adapter config: " + e.getMessage());
    }
    List<String> errors = config.problems();
    if (!errors.isEmpty()) {
      throw new InvalidAdapterException(file + ": " + String.join("; ", errors));
    }
    return config;
  }

  public void write(Path file) throws IOException {
    JSON.writeValue(file.toFile(), this);
  }

  private List<String> problems() {
    List<String> errors = new ArrayList<>();
    if (!"LORA".equals(peftType)) {
      errors.add("peft_type must be LORA, got " + peftType);
    }
    if (r <= 0) {
      errors.add("r must be > 0, got " + r);
    }
    if (!(loraAlpha > 0)) {
      errors.add("lora_alpha must be > 0, got " + loraAlpha);
    }
    if (bias != null && !bias.equals("none")) {
      errors.add("bias must be none (trained biases are not merged), got " + bias);
    }
    if (fanInFanOut) {
      errors.add("fan_in_fan_out must be false (transposed Conv1D weights are not supported)");
    }
    if (useDora) {
      errors.add("use_dora must be false (DoRA adapters are not supported)");
    }
    if (rankPattern != null && !rankPattern.isEmpty()) {
      errors.add("rank_pattern must be empty (per-module ranks are not supported), got " + rankPattern.keySet());
    }
    if (alphaPattern != null && !alphaPattern.isEmpty()) {
      errors.add("alpha_pattern must be empty (per-module alphas are not supported), got " + alphaPattern.keySet());
    }
    return errors;
  }
}
