package io.llavascale.workers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.llavascale.workflows.spec.PresetCatalog;
import io.llavascale.workflows.spec.RunSpecParser;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Lists the presets, or prints one resolved. */
@Command(name = "presets", description = "List presets (the paper's configurations and tiny-* ones that run here), or show one.")
final class PresetsCommand implements Runnable {
  @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Print this preset, resolved, as YAML.")
  String name;

  @Override
  public void run() {
    if (name == null) {
      Map<String, String> all = PresetCatalog.descriptions();
      int width = all.keySet().stream().mapToInt(String::length).max().orElse(10);
      all.forEach((preset, description) -> System.out.printf("%-" + width + "s  %s%n", preset, description));
      System.out.println();
      System.out.println("Show one: llava presets <name>. Start one: llava start --preset <name>.");
      return;
    }
    if (PresetCatalog.find(name).isEmpty()) {
      throw new CliException("unknown preset '" + name + "'; known: " + String.join(", ", PresetCatalog.NAMES));
    }
    try {
      System.out.print(new ObjectMapper(new YAMLFactory())
          .writeValueAsString(RunSpecParser.toMap(PresetCatalog.spec(name))));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
