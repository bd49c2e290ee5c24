package io.llavascale.model.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.model.checkpoint.Safetensors;
import io.llavascale.model.checkpoint.ShardedSafetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamingMergeTest {
  private static final String Q = "model.layers.0.self_attn.q_proj.weight";
  private static final String V = "model.layers.0.self_attn.v_proj.weight";
  private static final String PROJECTOR = "model.mm_projector.0.weight";
  private static final String NORM = "model.norm.weight";

  @TempDir Path dir;
  Path base;
  Path adapter;
  Path out;

  @BeforeEach
  void folders() {
    base = dir.resolve("base");
    adapter = dir.resolve("adapter");
    out = dir.resolve("merged");
  }

  /** Writes the model's base (sharded at maxShardBytes) and its adapter. */
  private List<String> write(SyntheticModel model, long maxShardBytes) throws IOException {
    List<String> files = model.writeBase(base, maxShardBytes);
    model.writeAdapter(adapter);
    return files;
  }

  private static StreamingMerge.Summary merge(Path base, Path adapterFolder, Path out, StreamingMerge.Options options)
      throws IOException {
    try (LoraAdapter adapter = LoraAdapter.open(adapterFolder)) {
      return StreamingMerge.run(base, adapter, out, options, (done, total, name, bytes, totalBytes) -> {});
    }
  }

  private static Verification verify(Path base, Path adapterFolder, Path out, BaseTransform transform)
      throws IOException {
    try (LoraAdapter adapter = LoraAdapter.open(adapterFolder)) {
      return new LayerProbe(7, 4).verify(new MergeVerifier.Inputs(base, adapter, transform, out));
    }
  }

  /** The adapter LLaVA's LoRA training writes, by hand: PEFT keys, PEFT's config, the projector apart. */
  @Test
  void mergesAHandWrittenPeftAdapter() throws IOException {
    Files.createDirectories(base);
    Safetensors.write(base.resolve(ShardedSafetensors.SINGLE), Map.of("format", "pt"), List.of(
        Safetensors.Entry.floats(PROJECTOR, Safetensors.DType.F16, new long[] {2, 2}, () -> new float[] {1, 1, 1, 1}),
        Safetensors.Entry.floats(Q, Safetensors.DType.F16, new long[] {2, 3}, () -> new float[] {1, 2, 3, 4, 5, 6}),
        Safetensors.Entry.floats(V, Safetensors.DType.F16, new long[] {2, 3}, () -> new float[] {7, 8, 9, 10, 11, 12}),
        Safetensors.Entry.floats(NORM, Safetensors.DType.F16, new long[] {3}, () -> new float[] {1, 1, 1})));
    Files.writeString(base.resolve("config.json"), "{\"model_type\": \"llava_llama\"}");

    adapter = Files.createDirectories(dir.resolve("llava-v1.5-7b-lora"));
    Files.writeString(adapter.resolve("adapter_config.json"), """
        {
          "alpha_pattern": {},
          "auto_mapping": null,
          "base_model_name_or_path": "lmsys/vicuna-7b-v1.5",
          "bias": "none",
          "fan_in_fan_out": false,
          "inference_mode": true,
          "init_lora_weights": true,
          "layers_pattern": null,
          "layers_to_transform": null,
          "lora_alpha": 1,
          "lora_dropout": 0.05,
          "modules_to_save": null,
          "peft_type": "LORA",
          "r": 2,
          "rank_pattern": {},
          "revision": null,
          "target_modules": ["q_proj"],
          "task_type": "CAUSAL_LM"
        }
        """);
    String module = "base_model.model.model.layers.0.self_attn.q_proj";
    Safetensors.write(adapter.resolve("adapter_model.safetensors"), Map.of("format", "pt"), List.of(
        Safetensors.Entry.f32(module + ".lora_A.weight", new long[] {2, 3}, () -> new float[] {1, 0, 1, 0, 1, 0}),
        Safetensors.Entry.f32(module + ".lora_B.weight", new long[] {2, 2}, () -> new float[] {2, 0, 0, 4})));
    Safetensors.write(adapter.resolve("non_lora_trainables.safetensors"), Map.of(), List.of(
        Safetensors.Entry.f32("base_model.model.model.mm_projector.0.weight", new long[] {2, 2},
            () -> new float[] {0.5f, -1, 0.25f, 2})));

    out = dir.resolve("llava-v1.5-7b-merged");
    StreamingMerge.Summary summary = merge(base, adapter, out, StreamingMerge.Options.defaults());

    assertEquals(4, summary.tensors());
    assertEquals(1, summary.merged());
    assertEquals(1, summary.replaced());
    assertEquals(List.of(ShardedSafetensors.SINGLE), summary.files());
    assertEquals("{\"model_type\": \"llava_llama\"}", Files.readString(out.resolve("config.json")));
    try (Safetensors.Reader merged = Safetensors.open(out.resolve(ShardedSafetensors.SINGLE));
        Safetensors.Reader original = Safetensors.open(base.resolve(ShardedSafetensors.SINGLE))) {
      // scale = lora_alpha / r = 0.5; B @ A = [[2, 0, 2], [0, 4, 0]].
      assertArrayEquals(new float[] {2, 2, 4, 4, 7, 6}, merged.readFloats(Q));
      assertEquals(Safetensors.DType.F16, merged.info(Q).dtype());
      assertArrayEquals(new float[] {0.5f, -1, 0.25f, 2}, merged.readFloats(PROJECTOR));
      assertEquals(original.readRaw(V), merged.readRaw(V));
      assertEquals(original.readRaw(NORM), merged.readRaw(NORM));
      assertEquals("pt", merged.metadata().get("format"));
    }
    Verification v = verify(base, adapter, out, BaseTransform.IDENTITY).requirePassed();
    assertEquals(1, v.checked());
    assertTrue(v.maxAbsDiff() < 1e-12, "every weight here is exact in F16; only double sums differ: " + v.maxAbsDiff());
  }

  /** Merged outputs equal unmerged outputs on a probe batch, in every dtype, up to its rounding. */
  @ParameterizedTest
  @EnumSource(value = Safetensors.DType.class, names = {"F32", "F16", "BF16"})
  void mergedModelComputesWhatBasePlusAdapterComputes(Safetensors.DType dtype) throws IOException {
    SyntheticModel model = new SyntheticModel(2, 48, 8, dtype, 11);
    write(model, ShardedSafetensors.DEFAULT_MAX_SHARD_BYTES);
    StreamingMerge.Summary summary = merge(base, adapter, out, StreamingMerge.Options.defaults());
    assertEquals(12, summary.merged());

    Verification v = verify(base, adapter, out, BaseTransform.IDENTITY);
    System.out.printf("merged == unmerged, %s: %s%n", dtype, v.summary());
    assertTrue(v.passed(), v.worst());
    assertEquals(12, v.checked());
    double bound = switch (dtype) {
      case F32 -> 1e-5;
      case F16 -> 1e-2;
      default -> 1e-1;
    };
    assertTrue(v.maxAbsDiff() < bound, v.summary());
    try (ShardedSafetensors.Reader merged = ShardedSafetensors.open(out);
        ShardedSafetensors.Reader original = ShardedSafetensors.open(base)) {
      assertFalse(java.util.Arrays.equals(original.readFloats(Q), merged.readFloats(Q)), "the update was applied");
    }
  }

  @Test
  void readsAShardedBaseAndWritesShardsLlavasLoaderReads() throws IOException {
    SyntheticModel model = new SyntheticModel(3, 32, 4, Safetensors.DType.F16, 5);
    // 32 x 32 x 2 bytes = 2 KiB per attention weight; 10 KiB shards give several shards.
    List<String> baseFiles = write(model, 10_000);
    assertTrue(baseFiles.size() > 3, baseFiles.toString());
    List<String> progress = new ArrayList<>();
    StreamingMerge.Summary summary;
    try (LoraAdapter a = LoraAdapter.open(adapter)) {
      summary = StreamingMerge.run(base, a, out, new StreamingMerge.Options(12_000, BaseTransform.IDENTITY),
          (done, total, name, bytes, totalBytes) -> progress.add(done + "/" + total));
    }
    int n = summary.files().size() - 1;
    assertTrue(n > 2, summary.files().toString());
    assertEquals(ShardedSafetensors.shardName(1, n), summary.files().get(0));
    assertEquals(ShardedSafetensors.INDEX, summary.files().get(n));
    assertTrue(Files.exists(out.resolve("config.json")));
    assertEquals(summary.tensors(), progress.size());
    assertEquals(summary.tensors() + "/" + summary.tensors(), progress.get(progress.size() - 1));
    assertTrue(verify(base, adapter, out, BaseTransform.IDENTITY).passed());
  }

  /** QLoRA's hook: adapters land on T(W), the weights they were trained against, and only there. */
  @Test
  void mergesIntoTheTransformedBase() throws IOException {
    SyntheticModel model = new SyntheticModel(1, 16, 2, Safetensors.DType.F32, 3);
    write(model, ShardedSafetensors.DEFAULT_MAX_SHARD_BYTES);
    // A coarse quantiser standing in for the NF4 round trip; it leaves the norm alone.
    BaseTransform grid = new BaseTransform() {
      @Override
      public boolean transforms(String name, long[] shape) {
        return shape.length == 2;
      }

      @Override
      public float[] apply(String name, long[] shape, float[] values) {
        for (int i = 0; i < values.length; i++) {
          values[i] = Math.round(values[i] * 64) / 64f;
        }
        return values;
      }
    };
    StreamingMerge.Summary summary = merge(base, adapter, out, new StreamingMerge.Options(1L << 30, grid));
    assertEquals(0, summary.transformed(), "every 2-D weight is adapted or replaced in this model");
    assertTrue(verify(base, adapter, out, grid).passed());
    assertFalse(verify(base, adapter, out, BaseTransform.IDENTITY).passed(), "the plain base is not what was merged");
    try (ShardedSafetensors.Reader merged = ShardedSafetensors.open(out);
        ShardedSafetensors.Reader original = ShardedSafetensors.open(base)) {
      String norm = "model.layers.0.input_layernorm.weight";
      assertEquals(original.readRaw(norm), merged.readRaw(norm));
    }
  }

  @Test
  void verificationCatchesAWrongMerge() throws IOException {
    SyntheticModel model = new SyntheticModel(1, 32, 4, Safetensors.DType.F16, 9);
    write(model, ShardedSafetensors.DEFAULT_MAX_SHARD_BYTES);
    merge(base, adapter, out, StreamingMerge.Options.defaults());
    // Rewrite the merged file with one adapted weight left as the base had it.
    String skipped = "model.layers.0.mlp.down_proj.weight";
    Path file = out.resolve(ShardedSafetensors.SINGLE);
    Path wrong = dir.resolve("wrong.safetensors");
    try (Safetensors.Reader merged = Safetensors.open(file);
        ShardedSafetensors.Reader original = ShardedSafetensors.open(base)) {
      List<Safetensors.Entry> entries = new ArrayList<>();
      for (Safetensors.TensorInfo t : merged.tensors()) {
        Safetensors.Reader from = t.name().equals(skipped) ? null : merged;
        entries.add(new Safetensors.Entry(t.name(), t.dtype(), t.shape(), () -> {
          try {
            return from == null ? original.readRaw(t.name()) : from.readRaw(t.name());
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }));
      }
      Safetensors.write(wrong, merged.metadata(), entries);
    }
    Files.move(wrong, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Verification v = verify(base, adapter, out, BaseTransform.IDENTITY);
    assertFalse(v.passed());
    MergeVerificationException e = assertThrows(MergeVerificationException.class, v::requirePassed);
    assertTrue(e.getMessage().contains(skipped), e.getMessage());
  }
}
