package io.llavascale.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.llavascale.model.optim.AdamW;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A local training checkpoint folder: {@code model.safetensors} (trainable parameters only; frozen
 * ones are reproduced from the seed or the stage's input weights), {@code optimizer.safetensors}
 * (AdamW moments keyed {@code <param>.exp_avg} / {@code <param>.exp_avg_sq}, the update count in
 * the metadata) and {@code state.json}. Uploading and the commit manifest belong to the caller.
 */
public final class CheckpointFiles {
  public static final String MODEL = "model.safetensors";
  public static final String OPTIMIZER = "optimizer.safetensors";
  public static final String STATE = "state.json";
  private static final String STEP_COUNT = "step_count";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CheckpointFiles() {}

  /** Writes the three files into {@code folder}, creating it. */
  public static void write(
      Path folder, Map<String, Parameter> trainable, AdamW optimizer, TrainingState state)
      throws IOException {
    Files.createDirectories(folder);
    Map<String, NDArray> weights = new LinkedHashMap<>();
    trainable.forEach((name, parameter) -> weights.put(name, parameter.getArray()));
    ParameterTensors.write(folder.resolve(MODEL), Map.of("format", "pt"), weights);
    ParameterTensors.write(
        folder.resolve(OPTIMIZER),
        Map.of(STEP_COUNT, Long.toString(optimizer.stepCount())),
        optimizer.state());
    JSON.writeValue(folder.resolve(STATE).toFile(), state);
  }

  public static TrainingState readState(Path folder) throws IOException {
    return JSON.readValue(folder.resolve(STATE).toFile(), TrainingState.class);
  }

  /**
   * Restores trainable weights and optimizer moments from {@code folder} into the given live
   * objects, and returns the saved state. Every trainable parameter must be present.
   */
  public static TrainingState read(
      Path folder, Map<String, Parameter> trainable, AdamW optimizer) throws IOException {
    TrainingState state = readState(folder);
    ParameterTensors.load(folder.resolve(MODEL), trainable, true);
    try (Safetensors.Reader reader = Safetensors.open(folder.resolve(OPTIMIZER))) {
      long stepCount = Long.parseLong(reader.metadata().getOrDefault(STEP_COUNT, "0"));
      optimizer.restoreStepCount(stepCount);
      for (Map.Entry<String, Parameter> entry : trainable.entrySet()) {
        String name = entry.getKey();
        if (!reader.contains(name + AdamW.EXP_AVG)) {
          continue; // no update has touched it yet; AdamW starts its moments at zero
        }
        Shape shape = entry.getValue().getArray().getShape();
        optimizer.restore(
            stepCount,
            name,
            shape,
            reader.readFloats(name + AdamW.EXP_AVG),
            reader.readFloats(name + AdamW.EXP_AVG_SQ));
      }
    }
    return state;
  }
}
