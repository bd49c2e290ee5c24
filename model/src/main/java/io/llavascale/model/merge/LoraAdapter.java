package io.llavascale.model.merge;

import io.llavascale.model.checkpoint.Safetensors;
import io.llavascale.model.checkpoint.ShardedSafetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A LoRA adapter folder as PEFT (and LLaVA's LoRA training) writes it: {@code adapter_config.json},
 * {@code adapter_model.safetensors} with {@code <module>.lora_A.weight} [r, in] and {@code
 * <module>.lora_B.weight} [out, r] for base weight {@code <module>.weight} [out, in], and optionally
 * {@code non_lora_trainables.safetensors}, tensors trained in full (LLaVA's projector) that replace
 * the base's. PEFT's {@code base_model.model.} key prefix is dropped, which is how LLaVA's loader maps
 * both files onto the base ({@code base_model.model.model.mm_projector.0.weight} becomes {@code
 * model.mm_projector.0.weight}). Non-LoRA tensors in adapter_model (PEFT's modules_to_save) also
 * replace the base's. Tensors are read when asked for, so the adapter is never held whole.
 */
public final class LoraAdapter implements AutoCloseable {
  public static final String WEIGHTS = "adapter_model.safetensors";
  public static final String NON_LORA = "non_lora_trainables.safetensors";
  static final String PEFT_PREFIX = "base_model.model.";
  static final String LORA_A = ".lora_A.weight";
  static final String LORA_B = ".lora_B.weight";

  /**
   * One adapted weight.
   *
   * @param baseKey the base tensor it updates, {@code <module>.weight}
   * @param aKey    lora_A's key in adapter_model.safetensors, [rank, in]
   * @param bKey    lora_B's key, [out, rank]
   */
  public record Pair(String baseKey, String aKey, String bKey, int rank, long out, long in) {}

  private record Replacement(Safetensors.Reader file, String key) {}

  private final Path folder;
  private final AdapterConfig config;
  private final Safetensors.Reader weights;
  private final Safetensors.Reader nonLora;
  private final Map<String, Pair> pairs = new LinkedHashMap<>();
  private final Map<String, Replacement> replacements = new LinkedHashMap<>();

  private LoraAdapter(Path folder, AdapterConfig config, Safetensors.Reader weights, Safetensors.Reader nonLora) {
    this.folder = folder;
    this.config = config;
    this.weights = weights;
    this.nonLora = nonLora;
  }

  /** Reads the config and both headers and pairs every lora_A with its lora_B. */
  public static LoraAdapter open(Path folder) throws IOException {
    Path configFile = folder.resolve(AdapterConfig.FILE_NAME);
    if (!Files.exists(configFile)) {
      throw new InvalidAdapterException("adapter folder " + folder + " has no " + AdapterConfig.FILE_NAME
          + " (PEFT's LoRA config: peft_type, r, lora_alpha, target_modules)");
    }
    AdapterConfig config = AdapterConfig.read(configFile);
    Safetensors.Reader weights = Safetensors.open(requireSafetensors(folder, WEIGHTS, "adapter_model.bin", true));
    Path nonLoraFile = requireSafetensors(folder, NON_LORA, "non_lora_trainables.bin", false);
    Safetensors.Reader nonLora = null;
    try {
      nonLora = Files.exists(nonLoraFile) ? Safetensors.open(nonLoraFile) : null;
      LoraAdapter adapter = new LoraAdapter(folder, config, weights, nonLora);
      adapter.index();
      return adapter;
    } catch (IOException | RuntimeException e) {
      weights.close();
      if (nonLora != null) {
        nonLora.close();
      }
      throw e;
    }
  }

  /** The safetensors file, refusing a pickle-only folder rather than silently dropping its tensors. */
  private static Path requireSafetensors(Path folder, String name, String pickle, boolean required) {
    Path file = folder.resolve(name);
    if (!Files.exists(file) && Files.exists(folder.resolve(pickle))) {
      throw new InvalidAdapterException(folder + " has " + pickle + " (a PyTorch pickle), which the merge does not"
          + " read: save it as " + name + " (safe_serialization=True, or safetensors.torch.save_file)");
    }
    if (!Files.exists(file) && required) {
      throw new InvalidAdapterException("adapter folder " + folder + " has no " + name);
    }
    return file;
  }

  private void index() {
    Map<String, String> aKeys = new LinkedHashMap<>();
    Map<String, String> bKeys = new LinkedHashMap<>();
    for (Safetensors.TensorInfo t : weights.tensors()) {
      String key = t.name();
      String plain = key.startsWith(PEFT_PREFIX) ? key.substring(PEFT_PREFIX.length()) : key;
      if (plain.endsWith(LORA_A)) {
        aKeys.put(module(plain, LORA_A) + ".weight", key);
      } else if (plain.endsWith(LORA_B)) {
        bKeys.put(module(plain, LORA_B) + ".weight", key);
      } else if (plain.contains("lora_")) {
        throw new InvalidAdapterException(WEIGHTS + " in " + folder + ": tensor " + key
            + " is not a supported LoRA weight (expected <module>.lora_A.weight or <module>.lora_B.weight)");
      } else {
        replace(plain, weights, key);
      }
    }
    for (Map.Entry<String, String> a : aKeys.entrySet()) {
      String b = bKeys.remove(a.getKey());
      if (b == null) {
        throw new InvalidAdapterException(WEIGHTS + " in " + folder + ": " + a.getValue() + " has no matching lora_B");
      }
      pairs.put(a.getKey(), pair(a.getKey(), a.getValue(), b));
    }
    if (!bKeys.isEmpty()) {
      throw new InvalidAdapterException(WEIGHTS + " in " + folder + ": " + bKeys.values().iterator().next()
          + " has no matching lora_A");
    }
    if (nonLora != null) {
      for (Safetensors.TensorInfo t : nonLora.tensors()) {
        String key = t.name();
        replace(key.startsWith(PEFT_PREFIX) ? key.substring(PEFT_PREFIX.length()) : key, nonLora, key);
      }
    }
  }

  private static String module(String plainKey, String suffix) {
    return plainKey.substring(0, plainKey.length() - suffix.length());
  }

  private void replace(String baseKey, Safetensors.Reader file, String key) {
    if (replacements.put(baseKey, new Replacement(file, key)) != null) {
      throw new InvalidAdapterException(folder + ": more than one tensor replaces " + baseKey);
    }
  }

  private Pair pair(String baseKey, String aKey, String bKey) {
    long[] a = weights.info(aKey).shape();
    long[] b = weights.info(bKey).shape();
    int r = config.r();
    if (a.length != 2 || a[0] != r) {
      throw new InvalidAdapterException(aKey + " has shape " + Arrays.toString(a) + ", expected [r=" + r + ", in]"
          + " (r from " + AdapterConfig.FILE_NAME + ")");
    }
    if (b.length != 2 || b[1] != r) {
      throw new InvalidAdapterException(bKey + " has shape " + Arrays.toString(b) + ", expected [out, r=" + r + "]"
          + " (r from " + AdapterConfig.FILE_NAME + ")");
    }
    return new Pair(baseKey, aKey, bKey, r, b[0], a[1]);
  }

  /**
   * Checks the adapter fits {@code base}: every adapted weight exists there, is floating point and
   * is [out, in]; every replacement exists with the same shape. All problems in one message.
   */
  public void checkFits(ShardedSafetensors.Reader base) {
    List<String> problems = new ArrayList<>();
    for (Pair p : pairs.values()) {
      if (!base.contains(p.baseKey())) {
        problems.add(p.aKey() + " targets " + p.baseKey() + ", which the base does not have");
        continue;
      }
      Safetensors.TensorInfo info = base.info(p.baseKey());
      long[] expected = {p.out(), p.in()};
      if (!Arrays.equals(info.shape(), expected)) {
        problems.add(p.baseKey() + " is " + Arrays.toString(info.shape()) + " in the base, but its adapter (lora_B "
            + "[out, r] x lora_A [r, in]) makes " + Arrays.toString(expected));
      } else if (!info.dtype().isFloat()) {
        problems.add(p.baseKey() + " is " + info.dtype() + " in the base, not floating point");
      }
    }
    replacements.forEach((baseKey, r) -> {
      if (!base.contains(baseKey)) {
        problems.add(r.key() + " replaces " + baseKey + ", which the base does not have");
      } else if (!Arrays.equals(base.info(baseKey).shape(), r.file().info(r.key()).shape())) {
        problems.add(r.key() + " is " + Arrays.toString(r.file().info(r.key()).shape()) + " but " + baseKey
            + " is " + Arrays.toString(base.info(baseKey).shape()) + " in the base");
      }
    });
    if (!problems.isEmpty()) {
      throw new InvalidAdapterException("adapter " + folder + " does not fit the base " + base.folder() + ": "
          + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
          + (problems.size() > 5 ? " (and " + (problems.size() - 5) + " more)" : ""));
    }
  }

  public Path folder() {
    return folder;
  }

  public AdapterConfig config() {
    return config;
  }

  public double scale() {
    return config.scale();
  }

  public Collection<Pair> pairs() {
    return pairs.values();
  }

  public Optional<Pair> pair(String baseKey) {
    return Optional.ofNullable(pairs.get(baseKey));
  }

  public boolean replaces(String baseKey) {
    return replacements.containsKey(baseKey);
  }

  public int replacementCount() {
    return replacements.size();
  }

  /** The trained values that replace base tensor {@code baseKey}. */
  public float[] replacement(String baseKey) throws IOException {
    Replacement r = replacements.get(baseKey);
    if (r == null) {
      throw new IllegalArgumentException("the adapter does not replace " + baseKey);
    }
    return r.file().readFloats(r.key());
  }

  public float[] readA(Pair pair) throws IOException {
    return weights.readFloats(pair.aKey());
  }

  public float[] readB(Pair pair) throws IOException {
    return weights.readFloats(pair.bKey());
  }

  @Override
  public void close() throws IOException {
    weights.close();
    if (nonLora != null) {
      nonLora.close();
    }
  }
}
