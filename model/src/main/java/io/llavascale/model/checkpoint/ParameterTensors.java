package io.llavascale.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Moves named parameter values between a model and a safetensors file. */
public final class ParameterTensors {
  private ParameterTensors() {}

  /** Writes arrays as F32, one at a time, keyed by the map's names. */
  public static void write(Path file, Map<String, String> metadata, Map<String, NDArray> arrays)
      throws IOException {
    List<Safetensors.Entry> entries = new ArrayList<>();
    arrays.forEach((name, array) ->
        entries.add(Safetensors.Entry.f32(name, array.getShape().getShape(), array::toFloatArray)));
    Safetensors.write(file, metadata, entries);
  }

  /**
   * Copies values from {@code file} into the given parameters in place (so anything holding the
   * arrays, such as the optimizer's parameter map, sees the new values).
   *
   * @param required when true, every parameter must be in the file; when false, parameters the
   *                 file lacks keep their values
   */
  public static void load(Path file, Map<String, Parameter> parameters, boolean required)
      throws IOException {
    try (Safetensors.Reader reader = Safetensors.open(file)) {
      for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
        String name = entry.getKey();
        if (!reader.contains(name)) {
          if (required) {
            throw new IOException(file + " lacks parameter " + name);
          }
          continue;
        }
        NDArray array = entry.getValue().getArray();
        long[] expected = array.getShape().getShape();
        long[] found = reader.info(name).shape();
        if (!Arrays.equals(expected, found)) {
          throw new IOException(file + ": parameter " + name + " has shape "
              + Arrays.toString(found) + ", model expects " + Arrays.toString(expected));
        }
        array.set(reader.readFloats(name));
      }
    }
  }
}
