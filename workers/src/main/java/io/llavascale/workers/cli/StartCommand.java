package io.llavascale.workers.cli;

import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.workers.client.Runs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Starts a pipeline run from a spec file or a preset. */
@Command(name = "start", description = "Start a LlavaPipeline run from a spec file (YAML or JSON) or a preset.")
final class StartCommand implements Runnable {
  @Mixin StackOptions stack;

  @Option(names = {"-f", "--file"}, paramLabel = "SPEC", description = "Run spec (YAML or JSON).")
  Path file;

  @Option(names = "--preset", paramLabel = "NAME", description = "Start from a preset (see `llava presets`).")
  String preset;

  @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a field, e.g. --set stage2.maxSteps=500 (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--id", paramLabel = "RUN_ID", description = "Run id (workflow id). Default: <preset or file name>-<timestamp>.")
  String runId;

  @Override
  public void run() {
    Map<String, Object> spec = SpecFiles.pipelineInput(file, preset, overrides);
    String id = runId != null ? runId : defaultRunId(spec);
    new Runs(TemporalConnections.client(stack.connect())).start(id, spec);
    System.out.println("started run " + id);
    System.out.println("  progress: llava status " + id + " --watch");
  }

  private String defaultRunId(Map<String, Object> spec) {
    String base = spec.containsKey("preset") ? String.valueOf(spec.get("preset"))
        : file.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "");
    return Runs.newRunId(base);
  }
}
