package io.llavascale.model.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.model.checkpoint.Safetensors;
import io.llavascale.model.checkpoint.ShardedSafetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed adapters fail before anything is written, with a message that says what to fix. */
class LoraAdapterTest {
  private static final String MODULE = "base_model.model.model.layers.0.self_attn.q_proj";

  @TempDir Path dir;
  Path base;
  Path adapter;
  Path out;

  @BeforeEach
  void baseModel() throws IOException {
    base = Files.createDirectories(dir.resolve("base"));
    Safetensors.write(base.resolve(ShardedSafetensors.SINGLE), Map.of(), List.of(
        Safetensors.Entry.f32("model.layers.0.self_attn.q_proj.weight", new long[] {4, 3}, () -> new float[12])));
    adapter = Files.createDirectories(dir.resolve("adapter"));
    out = dir.resolve("out");
    AdapterConfig.lora(2, 4, 0, List.of("q_proj")).write(adapter.resolve(AdapterConfig.FILE_NAME));
  }

  private void adapterWeights(Safetensors.Entry... entries) throws IOException {
    Safetensors.write(adapter.resolve(LoraAdapter.WEIGHTS), Map.of(), List.of(entries));
  }

  private static Safetensors.Entry tensor(String key, long... shape) {
    int n = (int) java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y);
    return Safetensors.Entry.f32(key, shape, () -> new float[n]);
  }

  private String mergeFails() {
    InvalidAdapterException e = assertThrows(InvalidAdapterException.class, () -> {
      try (LoraAdapter a = LoraAdapter.open(adapter)) {
        StreamingMerge.run(base, a, out, StreamingMerge.Options.defaults(), (d, t, n, b, tb) -> {});
      }
    });
    assertFalse(Files.exists(out), "nothing is written for a bad adapter");
    return e.getMessage();
  }

  @Test
  void theGoodAdapterMerges() throws IOException {
    adapterWeights(tensor(MODULE + ".lora_A.weight", 2, 3), tensor(MODULE + ".lora_B.weight", 4, 2));
    try (LoraAdapter a = LoraAdapter.open(adapter)) {
      assertEquals(1, StreamingMerge.run(base, a, out, StreamingMerge.Options.defaults(), (d, t, n, b, tb) -> {}).merged());
      assertEquals(2.0, a.scale());
    }
  }

  @Test
  void missingConfig() throws IOException {
    adapterWeights(tensor(MODULE + ".lora_A.weight", 2, 3), tensor(MODULE + ".lora_B.weight", 4, 2));
    Files.delete(adapter.resolve(AdapterConfig.FILE_NAME));
    assertTrue(mergeFails().contains("has no adapter_config.json"));
  }

  @Test
  void configFieldsAreCheckedByName() throws IOException {
    adapterWeights(tensor(MODULE + ".lora_A.weight", 2, 3), tensor(MODULE + ".lora_B.weight", 4, 2));
    Files.writeString(adapter.resolve(AdapterConfig.FILE_NAME),
        "{\"peft_type\": \"PREFIX_TUNING\", \"r\": 0, \"lora_alpha\": 16, \"bias\": \"all\", \"target_modules\": \"q_proj\"}");
    String message = mergeFails();
    assertTrue(message.contains("peft_type must be LORA, got PREFIX_TUNING"), message);
    assertTrue(message.contains("r must be > 0, got 0"), message);
    assertTrue(message.contains("bias must be none"), message);
  }

  @Test
  void rankDisagreeingWithTheConfig() throws IOException {
    adapterWeights(tensor(MODULE + ".lora_A.weight", 3, 3), tensor(MODULE + ".lora_B.weight", 4, 3));
    String message = mergeFails();
    assertTrue(message.contains(MODULE + ".lora_A.weight has shape [3, 3], expected [r=2, in]"), message);
  }

  @Test
  void shapeThatDoesNotFitTheBase() throws IOException {
    adapterWeights(tensor(MODULE + ".lora_A.weight", 2, 5), tensor(MODULE + ".lora_B.weight", 4, 2));
    String message = mergeFails();
    assertTrue(message.contains("model.layers.0.self_attn.q_proj.weight is [4, 3] in the base, but its adapter"
        + " (lora_B [out, r] x lora_A [r, in]) makes [4, 5]"), message);
  }

  @Test
  void keyTheBaseDoesNotHave() throws IOException {
    String other = "base_model.model.model.layers.7.mlp.up_proj";
    adapterWeights(tensor(MODULE + ".lora_A.weight", 2, 3), tensor(MODULE + ".lora_B.weight", 4, 2),
        tensor(other + ".lora_A.weight", 2, 3), tensor(other + ".lora_B.weight", 4, 2));
    String message = mergeFails();
    assertTrue(message.contains(other + ".lora_A.weight targets model.layers.7.mlp.up_proj.weight, which the base"
        + " does not have"), message);
  }

  @Test
  void unpairedAndUnknownLoraTensors() throws IOException {
    adapterWeights(tensor(MODULE + ".lora_A.weight", 2, 3));
    assertTrue(mergeFails().contains(MODULE + ".lora_A.weight has no matching lora_B"));
    adapterWeights(tensor(MODULE + ".lora_A.weight", 2, 3), tensor(MODULE + ".lora_B.weight", 4, 2),
        tensor(MODULE + ".lora_embedding_A", 2, 3));
    assertTrue(mergeFails().contains("is not a supported LoRA weight"));
  }

  @Test
  void picklesAreRefusedRatherThanDropped() throws IOException {
    adapterWeights(tensor(MODULE + ".lora_A.weight", 2, 3), tensor(MODULE + ".lora_B.weight", 4, 2));
    Files.write(adapter.resolve("non_lora_trainables.bin"), new byte[] {0x50, 0x4B});
    String message = mergeFails();
    assertTrue(message.contains("has non_lora_trainables.bin (a PyTorch pickle)"), message);
    assertTrue(message.contains("non_lora_trainables.safetensors"), message);
  }
}
