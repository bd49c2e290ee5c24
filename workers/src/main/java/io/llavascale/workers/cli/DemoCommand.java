package io.llavascale.workers.cli;

import io.llavascale.activities.report.ReportFiles;
import io.llavascale.activities.report.Reports;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.S3Uri;
import io.llavascale.activities.store.StorePaths;
import io.llavascale.infra.config.EmbeddedStack;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.infra.s3.EmbeddedS3;
import io.llavascale.workers.client.DemoDataset;
import io.llavascale.workers.client.Runs;
import io.llavascale.workers.client.Stores;
import io.llavascale.workers.pool.PoolSelection;
import io.llavascale.workers.pool.WorkerPools;
import io.llavascale.workflows.pipeline.PipelineProgress;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.spec.PresetCatalog;
import io.llavascale.workflows.spec.RunSpecParser;
import io.temporal.client.WorkflowFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The whole recipe on one machine: the embedded stack (unless one is configured or running),
 * in-process workers for every pool, the synthetic dataset, one LlavaPipeline run watched to the
 * end, then the evaluation table, the path of report.json and of the HTML report.
 */
@Command(name = "demo", description = "Run the whole pipeline on the embedded stack with a tiny model and synthetic data.")
final class DemoCommand implements Runnable {
  private static final long PRINT_EVERY_MILLIS = 5000;

  @Mixin StackOptions stack;

  @Option(names = "--preset", defaultValue = PresetCatalog.DEFAULT, description = "Default: ${DEFAULT-VALUE}")
  String preset;

  @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a spec field (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--id", paramLabel = "RUN_ID", description = "Run id. Default: demo-<timestamp>.")
  String runId;

  @Override
  public void run() {
    StackConfig base = stack.base();
    boolean needsStack = (base.temporalEmbedded() || base.s3Embedded()) && EmbeddedStack.discover(base.home()).isEmpty();
    EmbeddedStack own = needsStack ? EmbeddedStack.start(base, 0, 0) : null;
    StackConfig config = EmbeddedStack.resolve(base);
    System.out.println(own != null ? "started the embedded stack: Temporal " + config.temporalAddress()
        + ", S3 " + config.s3Endpoint() : "using the stack at Temporal " + config.temporalAddress() + ", S3 "
        + (config.s3Endpoint() == null ? "(AWS)" : config.s3Endpoint()));
    WorkerPools workers = WorkerPools.launch(config, PoolSelection.parse(PoolSelection.ALL_LOCAL), 2, 1, Duration.ofSeconds(30));
    Thread cleanup = new Thread(() -> {
      workers.close();
      if (own != null) {
        own.close();
      }
    }, "llava-demo-stop");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      ObjectStore store = Stores.open(config);
      Map<String, Object> spec = new LinkedHashMap<>();
      spec.put("preset", preset);
      if (PresetCatalog.find(preset).isEmpty()) {
        throw new CliException("unknown preset '" + preset + "'; known: " + String.join(", ", PresetCatalog.NAMES));
      }
      spec.put("data", DemoDataset.ensure(store, config.home(), PresetCatalog.spec(preset).data()));
      SpecFiles.override(spec, overrides);
      RunSpecParser.parse(spec);
      String id = runId != null ? runId : Runs.newRunId("demo");
      Runs runs = new Runs(TemporalConnections.client(config));
      runs.start(id, spec);
      System.out.println("started run " + id + " (preset " + preset + ")");
      PipelineReport report = watch(runs, id);
      System.out.println();
      ProgressFormat.stages(System.out, report.stages());
      ProgressFormat.table4(System.out, report);
      System.out.println();
      ProgressFormat.evaluation(System.out, report.eval());
      System.out.println();
      System.out.println("report.json: " + report.reportUri());
      localPath(base, config, report.reportUri()).ifPresent(p -> System.out.println("             " + p));
      String html = StorePaths.runRoot(id) + Reports.FOLDER + ReportFiles.INDEX;
      if (store.size(html).isPresent()) {
        System.out.println("HTML report: " + store.uri(html));
        localPath(base, config, store.uri(html)).ifPresent(p -> System.out.println("             " + p));
      }
      System.out.println("a local copy: ./llava report " + id + " && xdg-open reports/" + id + "/index.html");
    } finally {
      Runtime.getRuntime().removeShutdownHook(cleanup);
      cleanup.run();
    }
  }

  /** Prints a progress line whenever it changes until the run ends; returns its report. */
  private static PipelineReport watch(Runs runs, String id) {
    CompletableFuture<PipelineReport> result = CompletableFuture.supplyAsync(() -> runs.await(id));
    String lastStage = "";
    long lastPrinted = 0;
    while (true) {
      try {
        return result.get(1, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        Optional<PipelineProgress> progress = runs.progress(id);
        // A line per stage change, and at most one every few seconds within a stage.
        if (progress.isPresent() && (!progress.get().stage().equals(lastStage)
            || System.currentTimeMillis() - lastPrinted >= PRINT_EVERY_MILLIS)) {
          System.out.println(ProgressFormat.line(progress.get()));
          lastStage = progress.get().stage();
          lastPrinted = System.currentTimeMillis();
        }
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof WorkflowFailedException failed) {
          throw new CliException("run " + id + " failed: " + Runs.rootMessage(failed));
        }
        throw new IllegalStateException(cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted; the run's committed work is in S3 (`llava resume " + id + "`)");
      }
    }
  }

  /** Where the embedded S3 keeps an object on disk, so a person can open report.json directly. */
  private static Optional<Path> localPath(StackConfig base, StackConfig config, String uri) {
    if (!base.s3Embedded()) {
      return Optional.empty();
    }
    S3Uri parsed = S3Uri.parse(uri);
    Path file = config.home().toAbsolutePath().normalize().resolve(EmbeddedStack.S3_DIR)
        .resolve(EmbeddedS3.BLOBS_DIR).resolve(parsed.bucket()).resolve(parsed.key());
    return Files.exists(file) ? Optional.of(file) : Optional.empty();
  }
}
