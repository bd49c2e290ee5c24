package io.llavascale.workers.bench;

import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.model.EngineThreads;
import io.llavascale.workers.client.DemoDataset;
import io.llavascale.workers.client.Runs;
import io.llavascale.workers.client.Stores;
import io.llavascale.workers.pool.PoolSelection;
import io.llavascale.workers.pool.WorkerPools;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.pipeline.StageStatus;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.RunSpecParser;
import io.llavascale.workflows.stages.StageNames;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The benchmark behind {@code llava bench}: one spec run twice against the same object store,
 * once by calling the stage runners in this JVM ({@link DirectPipeline}) and once as a real
 * LlavaPipeline workflow served by in-process workers; training throughput comes from the direct
 * run's per-step progress. Both runs get their own run id, so neither reuses the other's outputs.
 */
public final class PipelineBench {
  /**
   * @param warmupSteps   steps of each training stage left out of the throughput figures
   * @param warmupRuns    before timing, one tiny run in each mode (40 + 40 records, a few steps):
   *                      loads the engine, JIT-compiles data prep, training, evaluation, the S3
   *                      client and the Temporal client and worker paths, so that neither mode pays
   *                      for that alone
   * @param rounds        timed pairs of runs; the order alternates from round to round
   * @param temporalFirst run the Temporal mode first in round 1 (default: direct first)
   * @param temporalTimeout how long to wait for the Temporal run before terminating it (a stage
   *                      that keeps failing would otherwise retry for hours)
   * @param log           one line per phase, for people watching
   */
  public record Settings(
      int warmupSteps,
      boolean warmupRuns,
      int rounds,
      boolean temporalFirst,
      Duration temporalTimeout,
      Consumer<String> log) {
    public Settings {
      if (rounds < 1) {
        throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
      }
      if (warmupSteps < 1) {
        throw new IllegalArgumentException("warm-up steps must be at least 1, got " + warmupSteps);
      }
    }
  }

  private static final Duration WORKER_GRACE = Duration.ofSeconds(30);

  private PipelineBench() {}

  /**
   * Runs the bench.
   *
   * @param config    a resolved stack config (Temporal and S3 reachable)
   * @param spec      the workflow input map (preset, data, overrides), as `llava start` sends it
   * @param runPrefix run ids are {@code <runPrefix>-direct} and {@code <runPrefix>-temporal}
   *                  ({@code <runPrefix>-r<round>-...} with more than one round)
   */
  public static BenchResult run(StackConfig config, Map<String, Object> spec, String runPrefix, Settings settings)
      throws IOException {
    EngineThreads.configure(); // before the first NDManager, as the workers' processes do
    RunSpec resolved = RunSpecParser.parse(spec);
    ObjectStore store = Stores.open(config);

    Path scratch = config.home().resolve("scratch");
    if (settings.warmupRuns()) {
      Map<String, Object> warmSpec = warmupSpec(spec, DemoDataset.ensure(store, config.home(), "bench-warmup",
          SyntheticDataset.Options.of(11, 40, 40, 20, 2), resolved.data().mixRatio() > 0));
      RunSpec warmResolved = RunSpecParser.parse(warmSpec);
      settings.log().accept("warm-up: a tiny run directly (" + runPrefix + "-warmup-direct)");
      new DirectPipeline(store, scratch).run(runPrefix + "-warmup-direct", warmResolved);
      settings.log().accept("warm-up: a tiny run through Temporal (" + runPrefix + "-warmup-temporal)");
      runThroughTemporal(config, warmResolved, warmSpec, runPrefix + "-warmup-temporal", settings.temporalTimeout());
    }

    List<BenchResult.Orchestration> rounds = new ArrayList<>();
    List<StageThroughput> throughput = null;
    for (int round = 1; round <= settings.rounds(); round++) {
      // Alternate the order so that what the first mode pays (a colder JVM, page cache, heap
      // growth) falls on each mode equally often.
      boolean temporalFirst = settings.temporalFirst() != (round % 2 == 0);
      String prefix = settings.rounds() == 1 ? runPrefix : runPrefix + "-r" + round;
      DirectPipeline.Outcome direct = null;
      TemporalOutcome temporal = null;
      for (int i = 0; i < 2; i++) {
        if ((i == 0) == temporalFirst) {
          settings.log().accept("through Temporal (LlavaPipeline, in-process workers): run " + prefix + "-temporal");
          temporal = runThroughTemporal(config, resolved, spec, prefix + "-temporal", settings.temporalTimeout());
        } else {
          settings.log().accept("direct (stage runners in this JVM): run " + prefix + "-direct");
          direct = new DirectPipeline(store, scratch).run(prefix + "-direct", resolved);
        }
      }
      if (throughput == null) {
        throughput = List.of(
            StageThroughput.of(StageNames.ALIGN, direct.contexts().get(StageNames.ALIGN).reports(), settings.warmupSteps()),
            StageThroughput.of(StageNames.TUNE, direct.contexts().get(StageNames.TUNE).reports(), settings.warmupSteps()));
      }
      rounds.add(orchestration(prefix, temporalFirst, direct, temporal));
    }
    return new BenchResult(resolved.preset(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        Runtime.getRuntime().availableProcessors(), settings.warmupSteps(), settings.warmupRuns(),
        throughput, BenchResult.Overall.of(rounds), rounds);
  }

  private static BenchResult.Orchestration orchestration(
      String prefix, boolean temporalFirst, DirectPipeline.Outcome direct, TemporalOutcome temporal) {
    List<BenchResult.StageTimes> stages = new ArrayList<>();
    for (StageStatus s : temporal.report().stages()) {
      Double d = direct.stageSeconds().get(s.stage());
      boolean ran = "completed".equals(s.status());
      stages.add(new BenchResult.StageTimes(s.stage(), d, ran ? s.seconds() : null));
    }
    double temporalSeconds = temporal.seconds();
    // What the stage timers do not cover: ledger calls, and through Temporal the workflow tasks and
    // activity dispatch between stages, the workflow start and the result fetch.
    double directStages = stages.stream().map(BenchResult.StageTimes::directSeconds)
        .filter(Objects::nonNull).mapToDouble(Double::doubleValue).sum();
    double temporalStages = stages.stream().map(BenchResult.StageTimes::temporalSeconds)
        .filter(Objects::nonNull).mapToDouble(Double::doubleValue).sum();
    stages.add(new BenchResult.StageTimes(BenchResult.BETWEEN_STAGES,
        direct.seconds() - directStages, temporalSeconds - temporalStages));
    return new BenchResult.Orchestration(prefix + "-direct", prefix + "-temporal",
        temporalFirst ? "temporal-first" : "direct-first", direct.seconds(), temporalSeconds,
        temporalSeconds / direct.seconds(), temporalSeconds - direct.seconds(), stages);
  }

  private record TemporalOutcome(double seconds, PipelineReport report) {}

  /** Starts in-process workers, runs the pipeline workflow, stops the workers; times only the run. */
  private static TemporalOutcome runThroughTemporal(
      StackConfig config, RunSpec resolved, Map<String, Object> spec, String runId, Duration timeout) {
    PoolSelection pools = PoolSelection.parse("control,cpu,gpu-" + resolved.compute().gpuPool());
    WorkflowClient client = TemporalConnections.client(config);
    try (WorkerPools workers = WorkerPools.launch(config, pools, 2, 1, WORKER_GRACE)) {
      Runs runs = new Runs(client);
      long started = System.nanoTime();
      runs.start(runId, spec);
      WorkflowStub stub = WorkflowStub.fromTyped(runs.handle(runId));
      PipelineReport report;
      try {
        report = stub.getResult(timeout.toMillis(), TimeUnit.MILLISECONDS, PipelineReport.class);
      } catch (TimeoutException e) {
        stub.terminate("llava bench: no result within " + timeout);
        throw new IllegalStateException("bench run " + runId + " did not finish through Temporal within "
            + timeout + "; terminated it (see the worker log lines above for failing activities)");
      }
      return new TemporalOutcome((System.nanoTime() - started) / 1e9, report);
    } catch (WorkflowFailedException e) {
      throw new IllegalStateException("bench run " + runId + " failed through Temporal: " + Runs.rootMessage(e), e);
    } finally {
      client.getWorkflowServiceStubs().shutdown();
    }
  }

  static final int WARMUP_STAGE_STEPS = 5;

  /** The bench's spec with the warm-up data and a few steps per stage. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> warmupSpec(Map<String, Object> spec, Map<String, Object> data) {
    Map<String, Object> warm = new LinkedHashMap<>(spec);
    Map<String, Object> warmData = spec.get("data") instanceof Map<?, ?> d
        ? new LinkedHashMap<>((Map<String, Object>) d) : new LinkedHashMap<>();
    warmData.putAll(data);
    warm.put("data", warmData);
    for (String stage : List.of("stage1", "stage2")) {
      Map<String, Object> s = spec.get(stage) instanceof Map<?, ?> m
          ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
      s.put("maxSteps", WARMUP_STAGE_STEPS);
      warm.put(stage, s);
    }
    return warm;
  }
}
