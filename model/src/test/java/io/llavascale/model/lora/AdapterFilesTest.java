package io.llavascale.model.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.model.checkpoint.ModelFiles;
import io.llavascale.model.checkpoint.Safetensors;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.train.Tuning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdapterFilesTest {
  static final LoraConfig LORA = new LoraConfig(4, 8, 0.05, List.of("q_proj", "v_proj", "down_proj"));

  @TempDir Path dir;

  @Test
  void adapterFolderHasPeftConfigAdaptersAndProjectorOnly() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(LoraLayersTest.MODEL, 5, manager);
      new Tuning(Tuning.Method.LORA, LORA).adapt(model);
      AdapterFiles.save(model, LORA, "s3://bucket/runs/r/stage1/output/", false, dir);

      Map<?, ?> config = new ObjectMapper().readValue(dir.resolve(AdapterFiles.CONFIG).toFile(), Map.class);
      assertEquals("LORA", config.get("peft_type"));
      assertEquals(4, config.get("r"));
      assertEquals(8, config.get("lora_alpha"));
      assertEquals(0.05, config.get("lora_dropout"));
      assertEquals(List.of("q_proj", "v_proj", "down_proj"), config.get("target_modules"));
      assertEquals("none", config.get("bias"));
      assertEquals("s3://bucket/runs/r/stage1/output/", config.get("base_model_name_or_path"));
      assertEquals(LORA, AdapterFiles.readConfig(dir).lora());
      assertFalse(Files.exists(dir.resolve(AdapterFiles.QUANTIZATION)));

      try (Safetensors.Reader adapters = Safetensors.open(dir.resolve(AdapterFiles.WEIGHTS));
          Safetensors.Reader rest = Safetensors.open(dir.resolve(AdapterFiles.NON_LORA_TRAINABLES))) {
        assertEquals(12, adapters.tensors().size(), "2 layers x 3 modules x (A, B)");
        assertArrayEquals(new long[] {4, 64}, adapters.info("lm.layers.1.mlp.down_proj.lora_A.weight").shape());
        assertArrayEquals(new long[] {32, 4}, adapters.info("lm.layers.1.mlp.down_proj.lora_B.weight").shape());
        Set<String> names = rest.tensors().stream().map(Safetensors.TensorInfo::name).collect(Collectors.toSet());
        assertEquals(Set.of("projector.weight", "projector.bias"), names);
      }
    }
  }

  @Test
  void unmergedLoadGivesTheTrainedLoraModelsOutputs() throws IOException {
    assertUnmergedLoadMatches(Tuning.Method.LORA);
  }

  @Test
  void unmergedLoadRequantisesAQloraBase() throws IOException {
    assertUnmergedLoadMatches(Tuning.Method.QLORA);
    assertTrue(Files.exists(dir.resolve("adapter").resolve(AdapterFiles.QUANTIZATION)));
  }

  private void assertUnmergedLoadMatches(Tuning.Method method) throws IOException {
    Path base = dir.resolve("base");
    Path adapter = dir.resolve("adapter");
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(LoraLayersTest.MODEL, 5, manager);
      ModelFiles.save(model, base);
      new Tuning(method, LORA).adapt(model);
      // Stand-ins for trained values: nonzero B and a moved projector.
      Random random = new Random(1);
      model.namedParameters().forEach((path, parameter) -> {
        if (path.endsWith("lora_B.weight") || path.startsWith("projector.")) {
          float[] values = parameter.getArray().toFloatArray();
          for (int i = 0; i < values.length; i++) {
            values[i] += (float) random.nextGaussian() * 0.1f;
          }
          parameter.getArray().set(values);
        }
      });
      AdapterFiles.save(model, LORA, base.toString(), method == Tuning.Method.QLORA, adapter);
      float[] trained = LoraLayersTest.logits(model);

      TinyLlava loaded = AdapterFiles.loadUnmerged(base, adapter, manager);
      assertArrayEquals(trained, LoraLayersTest.logits(loaded));
      assertTrue(loaded.namedParameters().values().stream().noneMatch(p -> p.requiresGradient()),
          "a loaded model comes back frozen");
      TinyLlava plain = ModelFiles.load(base, manager);
      assertFalse(Arrays.equals(trained, LoraLayersTest.logits(plain)), "the adapters matter");
    }
  }
}
