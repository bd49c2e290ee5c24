package io.llavascale.workers.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.llavascale.workflows.spec.RunSpecParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads run specs (YAML or JSON) and applies --set overrides, producing the workflow input map. */
final class SpecFiles {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private SpecFiles() {}

  static Map<String, Object> read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CliException("spec file " + file + " does not exist");
    }
    try {
      // YAML is a superset of JSON, so one parser reads both.
      Map<String, Object> spec = YAML.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
      if (spec == null) {
        throw new CliException("spec file " + file + " is empty");
      }
      return spec;
    } catch (IOException e) {
      throw new CliException("spec file " + file + " is not valid YAML or JSON: " + e.getMessage());
    }
  }

  /**
   * The pipeline's workflow input from a spec file and/or a preset plus --set overrides, checked
   * here so that every error is named before anything starts.
   */
  static Map<String, Object> pipelineInput(Path file, String preset, List<String> overrides) {
    Map<String, Object> spec = file != null ? read(file) : new LinkedHashMap<>();
    if (preset != null) {
      spec.put("preset", preset);
    }
    if (spec.isEmpty()) {
      throw new CliException("give a spec with -f spec.yaml or a preset with --preset NAME (see `llava presets`)");
    }
    override(spec, overrides);
    RunSpecParser.parse(spec);
    return spec;
  }

  /**
   * Applies overrides like {@code stage2.learningRate=1e-4}: a dotted path and a YAML scalar value.
   * The workflow validates the result, so a typo in a path is reported by name.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> override(Map<String, Object> spec, List<String> assignments) {
    for (String assignment : assignments) {
      int eq = assignment.indexOf('=');
      if (eq <= 0) {
        throw new CliException("--set " + assignment + ": expected path=value, for example stage2.learningRate=1e-4");
      }
      String[] path = assignment.substring(0, eq).split("\\.");
      Object value;
      try {
        value = YAML.readValue(assignment.substring(eq + 1), Object.class);
      } catch (IOException e) {
        throw new CliException("--set " + assignment + ": value is not a YAML scalar");
      }
      Map<String, Object> node = spec;
      for (int i = 0; i < path.length - 1; i++) {
        Object child = node.computeIfAbsent(path[i], k -> new LinkedHashMap<String, Object>());
        if (!(child instanceof Map)) {
          throw new CliException("--set " + assignment + ": " + path[i] + " is not a section");
        }
        node = (Map<String, Object>) child;
      }
      node.put(path[path.length - 1], value);
    }
    return spec;
  }
}
