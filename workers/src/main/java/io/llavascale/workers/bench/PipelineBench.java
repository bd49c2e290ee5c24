package io.llavascale.workers.bench;

import ai.djl.ndarray.NDManager;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.S3ObjectStore;
import io.llavascale.infra.config.S3Clients;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.model.EngineThreads;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.llava.TokenIds;
import io.llavascale.model.train.SampleSource;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.model.train.TrainingLoop;
import io.llavascale.model.train.TrainingSample;
import io.llavascale.workers.client.Runs;
import io.llavascale.workers.pool.PoolSelection;
import io.llavascale.workers.pool.WorkerPools;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.pipeline.StageStatus;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.RunSpecParser;
import io.llavascale.workflows.stages.StageNames;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.util.Modules;
import io.llavascale.activities.lifecycle.ShutdownSignal;
import io.llavascale.workers.pool.StageActivities;
import io.llavascale.workers.wiring.LlavaModule;
import io.llavascale.workflows.stages.AlignStageActivity;
import io.llavascale.workflows.stages.EvaluateActivity;
import io.llavascale.workflows.stages.TuneStageActivity;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.temporal.client.WorkflowFailedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
   * @param temporalFirst run the Temporal mode before the direct one (default: direct first)
   * @param temporalTimeout how long to wait for the Temporal run before terminating it (a stage
   *                      that keeps failing would otherwise retry for hours)
   * @param log           one line per phase, for people watching
   */
  public record Settings(int warmupSteps, boolean temporalFirst, Duration temporalTimeout, Consumer<String> log) {
    public Settings {
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
   */
  public static BenchResult run(StackConfig config, Map<String, Object> spec, String runPrefix, Settings settings)
      throws IOException {
    EngineThreads.configure(); // before the first NDManager, as the workers' processes do
    RunSpec resolved = RunSpecParser.parse(spec);
    if (!resolved.tuning().isFull()) {
      throw new IllegalArgumentException("the bench runs full fine-tuning presets only (tuning.method "
          + resolved.tuning().method() + " needs MergeLora, which has no in-JVM runner here)");
    }
    String directId = runPrefix + "-direct";
    String temporalId = runPrefix + "-temporal";
    ObjectStore store = new S3ObjectStore(S3Clients.create(config), config.s3Bucket());

    settings.log().accept("warming up the engine (a few training steps on random data)");
    warmUpEngine();

    DirectPipeline.Outcome direct = null;
    TemporalOutcome temporal = null;
    for (int i = 0; i < 2; i++) {
      boolean temporalNow = (i == 0) == settings.temporalFirst();
      if (temporalNow) {
        settings.log().accept("through Temporal (LlavaPipeline, in-process workers): run " + temporalId);
        temporal = runThroughTemporal(config, resolved, spec, temporalId, settings.temporalTimeout());
      } else {
        settings.log().accept("direct (stage runners in this JVM): run " + directId);
        direct = new DirectPipeline(store, config.home().resolve("scratch")).run(directId, resolved);
      }
    }

    List<StageThroughput> throughput = List.of(
        StageThroughput.of(StageNames.ALIGN, direct.contexts().get(StageNames.ALIGN).reports(), settings.warmupSteps()),
        StageThroughput.of(StageNames.TUNE, direct.contexts().get(StageNames.TUNE).reports(), settings.warmupSteps()));
    List<BenchResult.StageTimes> stages = new ArrayList<>();
    for (StageStatus s : temporal.report().stages()) {
      Double d = direct.stageSeconds().get(s.stage());
      boolean ran = "completed".equals(s.status());
      stages.add(new BenchResult.StageTimes(s.stage(), d == null ? Double.NaN : d, ran ? s.seconds() : Double.NaN));
    }
    double temporalSeconds = temporal.seconds();
    BenchResult.Orchestration orchestration = new BenchResult.Orchestration(directId, temporalId,
        direct.seconds(), temporalSeconds, temporalSeconds / direct.seconds(), temporalSeconds - direct.seconds(), stages);
    return new BenchResult(resolved.preset(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        Runtime.getRuntime().availableProcessors(), settings.warmupSteps(), throughput, orchestration);
  }

  private record TemporalOutcome(double seconds, PipelineReport report) {}

  /** Starts in-process workers, runs the pipeline workflow, stops the workers; times only the run. */
  private static TemporalOutcome runThroughTemporal(
      StackConfig config, RunSpec resolved, Map<String, Object> spec, String runId, Duration timeout) {
    PoolSelection pools = PoolSelection.parse("control,cpu,gpu-" + resolved.compute().gpuPool());
    WorkflowClient client = TemporalConnections.client(config);
    try (WorkerPools workers = launchWorkers(config, pools)) {
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
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new IllegalStateException("bench run " + runId + " failed through Temporal: " + root.getMessage(), e);
    } finally {
      client.getWorkflowServiceStubs().shutdown();
    }
  }

  /**
   * {@link WorkerPools#launch} with the same wiring, except that the training and evaluation
   * activities switch autograd off on their thread first ({@link GradModeOff}).
   */
  private static WorkerPools launchWorkers(StackConfig config, PoolSelection pools) {
    Injector injector = Guice.createInjector(Modules.override(new LlavaModule(config)).with(new AbstractModule() {
      @Override
      protected void configure() {
        bind(AlignStageActivity.class).to(GradModeOff.Align.class);
        bind(TuneStageActivity.class).to(GradModeOff.Tune.class);
        bind(EvaluateActivity.class).to(GradModeOff.Evaluate.class);
      }
    }));
    WorkerPools workers = new WorkerPools(injector.getInstance(WorkflowClient.class), pools,
        injector.getInstance(StageActivities.class), injector.getInstance(ShutdownSignal.class),
        2, 1, WORKER_GRACE);
    workers.start();
    return workers;
  }

  /**
   * Loads the native engine and JIT-compiles the training loop before either mode is timed, so
   * whichever mode runs first does not pay for it alone.
   */
  static void warmUpEngine() {
    TinyLlavaConfig config = TinyLlavaConfig.forResolution(224, 64);
    int batch = 4;
    SampleSource data = randomSamples(config, batch * 3);
    Path dir;
    try {
      dir = Files.createTempDirectory("llava-bench-warmup");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      for (TrainerConfig.Stage stage : TrainerConfig.Stage.values()) {
        TinyLlava model = TinyLlava.create(config, 1, manager);
        new TrainingLoop(model, new TrainerConfig(stage, 1e-3, 0, "cosine", 0, batch, 1, 0, 1, 0), data, dir).run();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      dir.toFile().delete();
    }
  }

  private static SampleSource randomSamples(TinyLlavaConfig config, int count) {
    Random random = new Random(1);
    float[] image = new float[3 * config.imageSize() * config.imageSize()];
    for (int i = 0; i < image.length; i++) {
      image[i] = random.nextFloat();
    }
    TrainingSample[] samples = new TrainingSample[count];
    for (int s = 0; s < count; s++) {
      int[] ids = new int[12];
      int[] labels = new int[ids.length];
      ids[0] = TokenIds.BOS;
      ids[1] = TokenIds.IMAGE;
      for (int i = 2; i < ids.length - 1; i++) {
        ids[i] = 5 + random.nextInt(config.vocabSize() - 5);
      }
      ids[ids.length - 1] = TokenIds.EOS;
      for (int i = 0; i < ids.length; i++) {
        labels[i] = i > ids.length / 2 ? ids[i] : TrainingSample.IGNORE;
      }
      samples[s] = new TrainingSample("warmup-" + s, ids, labels, image);
    }
    return new SampleSource() {
      @Override
      public int size() {
        return count;
      }

      @Override
      public TrainingSample get(int index) {
        return samples[index];
      }
    };
  }
}
