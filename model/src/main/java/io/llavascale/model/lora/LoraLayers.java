package io.llavascale.model.lora;

import io.llavascale.model.llava.Dense;
import io.llavascale.model.llava.TinyLlava;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Puts LoRA adapters on a model's decoder linear layers. Parameters follow PEFT's names: the layer
 * at {@code lm.layers.0.attn.q_proj} gains {@code lm.layers.0.attn.q_proj.lora_A.weight} [r, in]
 * and {@code ....lora_B.weight} [out, r].
 */
public final class LoraLayers {
  private LoraLayers() {}

  /** Whether a parameter path names an adapter weight. */
  public static boolean isAdapterParameter(String path) {
    return path.contains("." + LoraAdapter.A + ".") || path.contains("." + LoraAdapter.B + ".");
  }

  /**
   * Attaches an adapter to every decoder linear layer whose name is a target, its weights drawn
   * from the model seed; the new parameters require gradients until the caller freezes.
   *
   * @return the adapted layers by path
   * @throws IllegalArgumentException naming the allowed modules when a target is not a layer of
   *     this LM (the tiny MLP has up_proj and down_proj, no gate_proj)
   */
  public static Map<String, Dense> attach(TinyLlava model, LoraConfig config) {
    Map<String, Dense> linears = model.decoderLinears();
    Set<String> allowed = new LinkedHashSet<>();
    linears.keySet().forEach(path -> allowed.add(moduleName(path)));
    List<String> unknown =
        config.targetModules().stream().filter(name -> !allowed.contains(name)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("LoRA target modules " + unknown
          + " are not linear layers of this LM; allowed: " + String.join(", ", allowed));
    }
    if (linears.values().stream().anyMatch(Dense::hasAdapter)) {
      throw new IllegalStateException("the model already carries LoRA adapters");
    }
    Map<String, Dense> adapted = new LinkedHashMap<>();
    linears.forEach((path, layer) -> {
      if (config.targetModules().contains(moduleName(path))) {
        LoraAdapter adapter = new LoraAdapter(layer, config, model.seed(), path, model.clock());
        layer.attach(adapter);
        adapter.initialize(model.seed(), model.manager(), path);
        adapted.put(path, layer);
      }
    });
    return adapted;
  }

  private static String moduleName(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }
}
