package io.llavascale.model.lora;

import java.util.List;

/**
 * LoRA hyperparameters, as PEFT's LoraConfig.
 *
 * @param rank          r, the inner width of each adapter
 * @param alpha         lora_alpha; the adapter's output is scaled by alpha / r
 * @param dropout       lora_dropout on the adapter's input while training, in [0, 1)
 * @param targetModules names of the decoder's linear layers that get adapters (q_proj, ...)
 */
public record LoraConfig(int rank, int alpha, double dropout, List<String> targetModules) {
  public LoraConfig {
    if (rank < 1) {
      throw new IllegalArgumentException("LoRA rank must be >= 1, got " + rank);
    }
    if (alpha < 1) {
      throw new IllegalArgumentException("LoRA alpha must be >= 1, got " + alpha);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
    }
    if (targetModules.isEmpty()) {
      throw new IllegalArgumentException("LoRA needs at least one target module");
    }
    targetModules = List.copyOf(targetModules);
  }

  /** What multiplies B A x: alpha / r (PEFT's scaling without rsLoRA). */
  public double scale() {
    return (double) alpha / rank;
  }
}
