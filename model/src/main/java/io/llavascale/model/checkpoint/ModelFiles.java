package io.llavascale.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TinyLlavaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A whole-model folder: {@code config.json} and {@code model.safetensors} with every weight,
 * the frozen vision encoder included, so the folder stands alone (a stage's output weights).
 */
public final class ModelFiles {
  public static final String WEIGHTS = "model.safetensors";
  private static final String SEED = "seed";

  private ModelFiles() {}

  public static void save(TinyLlava model, Path folder) throws IOException {
    Files.createDirectories(folder);
    model.config().write(folder.resolve(TinyLlavaConfig.FILE_NAME));
    Map<String, NDArray> weights = new LinkedHashMap<>();
    model.namedParameters().forEach((name, parameter) -> weights.put(name, parameter.getArray()));
    ParameterTensors.write(
        folder.resolve(WEIGHTS),
        Map.of("format", "pt", SEED, Long.toString(model.seed())),
        weights);
  }

  /** Loads a saved model into {@code manager}; every parameter is frozen until trainOnly. */
  public static TinyLlava load(Path folder, NDManager manager) throws IOException {
    TinyLlavaConfig config = TinyLlavaConfig.read(folder.resolve(TinyLlavaConfig.FILE_NAME));
    long seed;
    try (Safetensors.Reader reader = Safetensors.open(folder.resolve(WEIGHTS))) {
      seed = Long.parseLong(reader.metadata().getOrDefault(SEED, "0"));
    }
    TinyLlava model = TinyLlava.create(config, seed, manager);
    ParameterTensors.load(folder.resolve(WEIGHTS), model.namedParameters(), true);
    return model;
  }
}
