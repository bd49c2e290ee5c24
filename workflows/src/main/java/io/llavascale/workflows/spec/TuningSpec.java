package io.llavascale.workflows.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * Stage-2 tuning method.
 *
 * @param method        full | lora | qlora
 * @param loraRank      adapter rank (lora, qlora)
 * @param loraAlpha     adapter alpha; the paper's rule is 2 x rank
 * @param loraDropout   adapter dropout
 * @param targetModules module names that get adapters (attention and MLP projections)
 */
public record TuningSpec(
    String method, int loraRank, int loraAlpha, double loraDropout, List<String> targetModules) {

  /** Derived, not a field: ignored by JSON so a serialized spec has only the record's fields. */
  @JsonIgnore
  public boolean isFull() {
    return "full".equals(method);
  }
}
