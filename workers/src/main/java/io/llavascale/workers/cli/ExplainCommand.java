package io.llavascale.workers.cli;

import io.llavascale.activities.external.ReferenceCommand;
import io.llavascale.activities.external.StagePaths;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.workflows.spec.ComputeSpec;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.RunSpecParser;
import io.llavascale.workflows.stages.StageNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prints the reference trainer command lines a spec's training stages run. */
@Command(name = "explain", description = "Print the command line each training stage of a spec launches on the external backend.")
final class ExplainCommand implements Runnable {
  @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC", description = "Run spec (YAML or JSON).")
  Path file;

  @Option(names = "--preset", paramLabel = "NAME", description = "Explain a preset (see `llava presets`).")
  String preset;

  @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a field, e.g. --set tuning.loraRank=8 (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Override
  public void run() {
    Map<String, Object> input = file != null ? SpecFiles.read(file) : new LinkedHashMap<>();
    if (preset != null) {
      input.put("preset", preset);
    }
    if (input.isEmpty()) {
      throw new CliException("give a spec file or --preset NAME (see `llava presets`)");
    }
    SpecFiles.override(input, overrides);
    RunSpec spec = RunSpecParser.parse(input);
    ComputeSpec compute = spec.compute();
    if (ComputeSpec.JVM.equals(compute.backend())) {
      System.out.println("# compute.backend jvm: both stages train inside the worker JVM. With"
          + " --set compute.backend=external they would run:");
    }
    if (compute.nodes() > 1) {
      System.out.println("# " + compute.nodes() + " nodes: one process per node; node r runs this line with"
          + " NODE_RANK=r and MASTER_ADDR / MASTER_PORT of node 0");
    }
    Path root = Path.of("$SCRATCH", "$RUN_ID");
    for (TrainerConfig.Stage stage : TrainerConfig.Stage.values()) {
      String name = stage == TrainerConfig.Stage.ALIGN ? StageNames.ALIGN : StageNames.TUNE;
      StagePaths paths = StagePaths.forStage(spec, stage, root.resolve(name + "-external"), root.resolve("inputs"));
      System.out.println();
      System.out.println("# " + name + " (" + (stage == TrainerConfig.Stage.ALIGN ? "AlignStage" : "TuneStage")
          + "), queue llava-gpu-" + compute.gpuPool() + ", run in $LLAVA_TRAINER_DIR (the LLaVA checkout)");
      System.out.println(ReferenceCommand.forStage(spec, stage, paths).toShell());
    }
  }
}
