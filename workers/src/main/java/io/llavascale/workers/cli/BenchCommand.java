package io.llavascale.workers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.infra.config.EmbeddedStack;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.workers.bench.BenchResult;
import io.llavascale.workers.bench.PipelineBench;
import io.llavascale.workers.client.DemoDataset;
import io.llavascale.workers.client.Runs;
import io.llavascale.workers.client.Stores;
import io.llavascale.workflows.spec.PresetCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Measures the tiny model's training throughput and what running the pipeline through Temporal
 * costs over calling the same stage runners directly. Speed is measured here, never asserted in
 * tests; docs/benchmarks.md says how to read the figures.
 */
@Command(name = "bench",
    subcommands = {TransferBenchCommand.class, MergeBenchCommand.class},
    description = {
      "Benchmark: training throughput of stage 1 and 2 (steps/s, tokens/s after a warm-up), and the",
      "same run (DataPrep, AlignStage, TuneStage, MergeLora for LoRA presets, Evaluate) done directly in this JVM vs through a",
      "LlavaPipeline workflow with in-process workers: wall time of each and their ratio.",
      "Uses the embedded stack under --home (started if not running) and the demo dataset.",
      "`llava bench transfer` measures S3 transfer instead (see its --help).",
      "`llava bench merge` measures the streaming LoRA merge instead (no stack needed)."})
final class BenchCommand implements Runnable {
  @Mixin StackOptions stack;

  @Option(names = "--preset", defaultValue = PresetCatalog.DEFAULT,
      description = "Preset the spec starts from (a tiny-* preset; LoRA / QLoRA ones merge before Evaluate). Default: ${DEFAULT-VALUE}")
  String preset;

  @Option(names = "--stage1-steps", defaultValue = "100", paramLabel = "N",
      description = "Stage-1 steps (spec stage1.maxSteps). Default: ${DEFAULT-VALUE}")
  int stage1Steps;

  @Option(names = "--stage2-steps", defaultValue = "200", paramLabel = "N",
      description = "Stage-2 steps (spec stage2.maxSteps). Default: ${DEFAULT-VALUE}")
  int stage2Steps;

  @Option(names = "--warmup-steps", defaultValue = "10", paramLabel = "N",
      description = "Steps of each stage left out of the throughput figures. Default: ${DEFAULT-VALUE}")
  int warmupSteps;

  @Option(names = "--set", paramLabel = "PATH=VALUE",
      description = "Override another spec field (repeatable), for example checkpoint.everySteps=25.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--no-warmup-runs",
      description = "Skip the tiny warm-up run in each mode before the timed runs (then the first mode also pays for JIT and engine start).")
  boolean noWarmupRuns;

  @Option(names = "--rounds", defaultValue = "1", paramLabel = "N",
      description = "Timed pairs of runs, alternating which mode goes first; 2 or more on a busy machine. Default: ${DEFAULT-VALUE}")
  int rounds;

  @Option(names = "--temporal-first",
      description = "Run the Temporal mode first in round 1 (default: direct first).")
  boolean temporalFirst;

  @Option(names = "--id", paramLabel = "PREFIX",
      description = "Run id prefix; the runs are PREFIX-direct and PREFIX-temporal (PREFIX-r<N>-... with --rounds). Default: bench-<timestamp>.")
  String idPrefix;

  @Option(names = "--timeout-minutes", defaultValue = "30", paramLabel = "MIN",
      description = "Give up on (and terminate) the Temporal run after this long. Default: ${DEFAULT-VALUE}")
  long timeoutMinutes;

  @Option(names = "--json", description = "Print the result as JSON (progress still goes to stderr).")
  boolean json;

  @Override
  public void run() {
    if (stage1Steps < 2 || stage2Steps < 2) {
      throw new CliException("--stage1-steps and --stage2-steps must be at least 2");
    }
    if (warmupSteps < 1) {
      throw new CliException("--warmup-steps must be at least 1");
    }
    if (rounds < 1) {
      throw new CliException("--rounds must be at least 1");
    }
    if (PresetCatalog.find(preset).isEmpty()) {
      throw new CliException("unknown preset '" + preset + "'; known: " + String.join(", ", PresetCatalog.NAMES));
    }
    StackConfig base = stack.base();
    boolean needsStack = (base.temporalEmbedded() || base.s3Embedded()) && EmbeddedStack.discover(base.home()).isEmpty();
    EmbeddedStack own = needsStack ? EmbeddedStack.start(base, 0, 0) : null;
    try {
      StackConfig config = EmbeddedStack.resolve(base);
      System.err.println("bench: " + (own != null ? "started the embedded stack" : "using the running stack")
          + ": Temporal " + config.temporalAddress() + ", S3 " + (config.s3Endpoint() == null ? "(AWS)" : config.s3Endpoint()));
      ObjectStore store = Stores.open(config);
      System.err.println("bench: making sure the preset's synthetic dataset is in the bucket");
      Map<String, Object> spec = spec(preset, DemoDataset.ensure(store, config.home(), PresetCatalog.spec(preset).data()),
          stage1Steps, stage2Steps);
      SpecFiles.override(spec, overrides);
      String prefix = idPrefix != null ? idPrefix
          : Runs.newRunId("bench");
      BenchResult result = PipelineBench.run(config, spec, prefix,
          new PipelineBench.Settings(warmupSteps, !noWarmupRuns, rounds, temporalFirst, Duration.ofMinutes(timeoutMinutes), line -> System.err.println("bench: " + line)));
      if (json) {
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
      } else {
        result.print(System.out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (own != null) {
        own.close();
      }
    }
  }

  /** The workflow input both modes run: the preset, the data, and the step counts. */
  static Map<String, Object> spec(String preset, Map<String, Object> data, int stage1Steps, int stage2Steps) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("preset", preset);
    spec.put("data", data);
    spec.put("stage1", new LinkedHashMap<>(Map.of("maxSteps", stage1Steps)));
    spec.put("stage2", new LinkedHashMap<>(Map.of("maxSteps", stage2Steps)));
    return spec;
  }
}
