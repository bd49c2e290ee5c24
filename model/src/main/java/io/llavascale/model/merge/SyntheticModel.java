package io.llavascale.model.merge;

import io.llavascale.model.checkpoint.Safetensors;
import io.llavascale.model.checkpoint.ShardedSafetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A LLaVA-shaped model of random weights, with a PEFT LoRA adapter for it, for measuring and
 * testing the merge at any size without a real checkpoint. Keys are LLaVA's: per layer the four
 * attention projections [h, h], MLP up [2h, h] and down [h, 2h] (all adapted) and a norm [h], plus
 * the projector {@code model.mm_projector.0.weight} [h, h], which the adapter replaces through
 * {@code non_lora_trainables.safetensors}. Every tensor is generated when its turn to be written
 * comes, so writing a multi-GB model holds one tensor.
 *
 * @param layers decoder layers
 * @param hidden width h
 * @param rank   adapter rank (alpha = 2 x rank, the paper's rule)
 * @param dtype  base weights' dtype (F32, F16 or BF16); the adapter is F32
 * @param seed   every value follows from it
 */
public record SyntheticModel(int layers, int hidden, int rank, Safetensors.DType dtype, long seed) {
  static final String PROJECTOR = "model.mm_projector.0.weight";
  private static final String[] ATTENTION = {"q_proj", "k_proj", "v_proj", "o_proj"};

  public SyntheticModel {
    if (layers < 1 || hidden < 1 || rank < 1) {
      throw new IllegalArgumentException("layers, hidden and rank must be >= 1");
    }
    if (!dtype.isFloat()) {
      throw new IllegalArgumentException("dtype must be F32, F16 or BF16, got " + dtype);
    }
  }

  /** Layers that make the base about {@code bytes} large at width {@code hidden}. */
  public static int layersFor(long bytes, int hidden, Safetensors.DType dtype) {
    long perLayer = (8L * hidden * hidden + hidden) * dtype.bytes();
    return (int) Math.max(1, bytes / perLayer);
  }

  /** One weight of the base: its key and shape [out, in] (or [h] for a norm). */
  private record Weight(String key, long[] shape, boolean adapted) {}

  private List<Weight> weights() {
    long h = hidden;
    List<Weight> weights = new ArrayList<>();
    weights.add(new Weight(PROJECTOR, new long[] {h, h}, false));
    for (int i = 0; i < layers; i++) {
      String layer = "model.layers." + i + ".";
      for (String proj : ATTENTION) {
        weights.add(new Weight(layer + "self_attn." + proj + ".weight", new long[] {h, h}, true));
      }
      weights.add(new Weight(layer + "mlp.up_proj.weight", new long[] {2 * h, h}, true));
      weights.add(new Weight(layer + "mlp.down_proj.weight", new long[] {h, 2 * h}, true));
      weights.add(new Weight(layer + "input_layernorm.weight", new long[] {h}, false));
    }
    return weights;
  }

  /** Writes the base weights (sharded at {@code maxShardBytes}) and a {@code config.json}. */
  public List<String> writeBase(Path folder, long maxShardBytes) throws IOException {
    List<Safetensors.Entry> entries = new ArrayList<>();
    List<Weight> weights = weights();
    for (int i = 0; i < weights.size(); i++) {
      Weight w = weights.get(i);
      long stream = i;
      entries.add(Safetensors.Entry.floats(w.key(), dtype, w.shape(), () -> values(stream, w.shape(), 0.05f)));
    }
    List<String> files = ShardedSafetensors.write(folder, Map.of("format", "pt"), entries, maxShardBytes, e -> {});
    Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"llava_llama\", \"hidden_size\": " + hidden
        + ", \"num_hidden_layers\": " + layers + "}\n");
    return files;
  }

  /**
   * Writes the adapter as LLaVA's LoRA training does (PEFT keys {@code base_model.model.<module>.lora_A.weight},
   * the projector in non_lora_trainables).
   */
  public void writeAdapter(Path folder) throws IOException {
    Files.createDirectories(folder);
    AdapterConfig.lora(rank, 2.0 * rank, 0.05, List.of("q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj"))
        .write(folder.resolve(AdapterConfig.FILE_NAME));
    List<Safetensors.Entry> lora = new ArrayList<>();
    List<Weight> weights = weights();
    for (int i = 0; i < weights.size(); i++) {
      Weight w = weights.get(i);
      if (!w.adapted()) {
        continue;
      }
      String module = LoraAdapter.PEFT_PREFIX + w.key().substring(0, w.key().length() - ".weight".length());
      long[] aShape = {rank, w.shape()[1]};
      long[] bShape = {w.shape()[0], rank};
      long stream = (i + 1L) << 32;
      lora.add(Safetensors.Entry.f32(module + LoraAdapter.LORA_A, aShape, () -> values(stream, aShape, 0.05f)));
      lora.add(Safetensors.Entry.f32(module + LoraAdapter.LORA_B, bShape, () -> values(stream + 1, bShape, 0.01f)));
    }
    Safetensors.write(folder.resolve(LoraAdapter.WEIGHTS), Map.of("format", "pt"), lora);
    long[] projector = {hidden, hidden};
    Safetensors.write(folder.resolve(LoraAdapter.NON_LORA), Map.of("format", "pt"), List.of(
        Safetensors.Entry.f32("base_model.model." + PROJECTOR, projector, () -> values(-1, projector, 0.05f))));
  }

  /** Uniform values in [-range, range), one random stream per tensor. */
  private float[] values(long stream, long[] shape, float range) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + stream);
    float[] v = new float[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (random.nextFloat() * 2 - 1) * range;
    }
    return v;
  }
}
