package io.llavascale.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.llavascale.model.checkpoint.ModelFiles;
import io.llavascale.model.checkpoint.ParameterTensors;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.quant.QuantizedBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A LoRA stage output in the layout LLaVA's LoRA training writes, with safetensors for the
 * pickles: {@code adapter_config.json} (PEFT), {@code adapter_model.safetensors} (every {@code
 * <layer>.lora_A.weight} [r, in] and {@code <layer>.lora_B.weight} [out, r]), {@code
 * non_lora_trainables.safetensors} (the projector, which trains alongside), and for QLoRA {@code
 * quantization_config.json} (Hugging Face's bitsandbytes fields), which says the adapters were
 * trained against an NF4 base. The base itself is not copied: {@code base_model_name_or_path} says
 * where it is.
 */
public final class AdapterFiles {
  public static final String CONFIG = "adapter_config.json";
  public static final String WEIGHTS = "adapter_model.safetensors";
  public static final String NON_LORA_TRAINABLES = "non_lora_trainables.safetensors";
  public static final String QUANTIZATION = "quantization_config.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Predicate<String> PROJECTOR = path -> path.startsWith("projector.");

  private AdapterFiles() {}

  /**
   * Writes an adapted model's trained weights into {@code folder}.
   *
   * @param baseModel     where the base the adapters sit on is (written as base_model_name_or_path)
   * @param quantizedBase whether the base was held as NF4 while training (QLoRA)
   */
  public static void save(
      TinyLlava model, LoraConfig lora, String baseModel, boolean quantizedBase, Path folder)
      throws IOException {
    Files.createDirectories(folder);
    JSON.writeValue(folder.resolve(CONFIG).toFile(), AdapterConfig.of(lora, baseModel));
    ParameterTensors.write(folder.resolve(WEIGHTS), Map.of("format", "pt"),
        arrays(model, LoraLayers::isAdapterParameter));
    ParameterTensors.write(folder.resolve(NON_LORA_TRAINABLES), Map.of("format", "pt"),
        arrays(model, PROJECTOR));
    if (quantizedBase) {
      Map<String, Object> bnb = new LinkedHashMap<>();
      bnb.put("quant_method", "bitsandbytes");
      bnb.put("load_in_4bit", true);
      bnb.put("bnb_4bit_quant_type", "nf4");
      bnb.put("bnb_4bit_use_double_quant", true);
      bnb.put("bnb_4bit_compute_dtype", "float32");
      JSON.writeValue(folder.resolve(QUANTIZATION).toFile(), bnb);
    }
  }

  public static boolean isAdapterFolder(Path folder) {
    return Files.exists(folder.resolve(CONFIG));
  }

  public static AdapterConfig readConfig(Path folder) throws IOException {
    return JSON.readValue(folder.resolve(CONFIG).toFile(), AdapterConfig.class);
  }

  /**
   * The adapted model without merging: the base from {@code baseFolder} (a whole-model folder),
   * quantised to NF4 when the adapters were trained on a QLoRA base, with the adapters and the
   * projector from {@code adapterFolder}. Every parameter comes back frozen.
   */
  public static TinyLlava loadUnmerged(Path baseFolder, Path adapterFolder, NDManager manager)
      throws IOException {
    TinyLlava model = ModelFiles.load(baseFolder, manager);
    if (Files.exists(adapterFolder.resolve(QUANTIZATION))) {
      QuantizedBase.quantize(model);
    }
    LoraLayers.attach(model, readConfig(adapterFolder).lora());
    Map<String, Parameter> parameters = model.namedParameters();
    ParameterTensors.load(adapterFolder.resolve(WEIGHTS), select(parameters, LoraLayers::isAdapterParameter), true);
    ParameterTensors.load(adapterFolder.resolve(NON_LORA_TRAINABLES), select(parameters, PROJECTOR), true);
    model.trainOnly(path -> false);
    return model;
  }

  private static Map<String, NDArray> arrays(TinyLlava model, Predicate<String> paths) {
    Map<String, NDArray> arrays = new LinkedHashMap<>();
    select(model.namedParameters(), paths).forEach((path, parameter) -> arrays.put(path, parameter.getArray()));
    return arrays;
  }

  private static Map<String, Parameter> select(Map<String, Parameter> parameters, Predicate<String> paths) {
    Map<String, Parameter> selected = new LinkedHashMap<>();
    parameters.forEach((path, parameter) -> {
      if (paths.test(path)) {
        selected.put(path, parameter);
      }
    });
    return selected;
  }
}
