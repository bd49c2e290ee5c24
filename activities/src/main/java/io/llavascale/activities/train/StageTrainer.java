package io.llavascale.activities.train;

import ai.djl.ndarray.NDManager;
import io.llavascale.activities.dataprep.DataPrepper;
import io.llavascale.activities.dataprep.PreparedDataReader;
import io.llavascale.activities.lifecycle.LocalFolders;
import io.llavascale.activities.lifecycle.StageContext;
import io.llavascale.activities.lifecycle.StepRate;
import io.llavascale.activities.lifecycle.TrainingHeartbeat;
import io.llavascale.activities.store.CheckpointStore;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.RestoredCheckpoint;
import io.llavascale.activities.store.StageMetrics;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.model.checkpoint.ModelFiles;
import io.llavascale.model.data.ShardReader;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.lora.AdapterFiles;
import io.llavascale.model.optim.LrSchedule;
import io.llavascale.model.quant.QuantizedBase;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.model.train.TrainingDivergedException;
import io.llavascale.model.train.TrainingLoop;
import io.llavascale.model.train.TrainingOutcome;
import io.llavascale.model.train.Tuning;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.StageSpec;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.StageProgress;
import io.llavascale.workflows.stages.TrainRequest;
import io.llavascale.workflows.stages.TrainResult;
import io.temporal.failure.ApplicationFailure;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one training stage of the in-JVM backend against the store: restore the newest valid
 * checkpoint, train with checkpoints committed to S3 every N steps, and commit the stage output.
 * Shared by AlignStage (projector only) and TuneStage (LM + projector, or for LoRA / QLoRA the
 * adapters + projector, whose output is then the adapter folder of {@link AdapterFiles}).
 */
public final class StageTrainer implements StageRunner {
  /** Retryable failure type of an attempt handed back because the worker is shutting down. */
  public static final String WORKER_SHUTDOWN = "WorkerShutdown";
  /** Non-retryable failure type of a stage whose loss stopped being finite. */
  public static final String DIVERGED = "TrainingDiverged";

  private static final Logger log = LoggerFactory.getLogger(StageTrainer.class);

  private final ObjectStore store;
  private final Path scratch;

  /** @param scratch local working folder for shards, checkpoints and weights in flight */
  @Inject
  public StageTrainer(ObjectStore store, @Named("scratch") Path scratch) {
    this.store = store;
    this.scratch = scratch;
  }

  @Override
  public TrainResult train(TrainRequest request, TrainerConfig.Stage stage, StageContext context)
      throws IOException {
    String stageName = stage == TrainerConfig.Stage.ALIGN ? StageNames.ALIGN : StageNames.TUNE;
    StageOutputs outputs = StageOutputs.forStage(store, request.runId(), stageName);
    Optional<TrainResult> committed = outputs.readCommitted(TrainResult.class);
    if (committed.isPresent()) {
      // An earlier attempt committed the output but its completion never reached the server.
      log.info("{}: output already committed at {}; returning it", context.label(), outputs.uri());
      return committed.get();
    }
    if (context.stopRequested()) {
      // A worker that is shutting down can still receive a task from a poll already in flight
      // (the dev server does not support graceful poll shutdown); give it straight back.
      throw handBack(stageName + " not started because the worker is shutting down; the retry"
          + " runs on another worker");
    }
    RunSpec spec = request.spec();
    TinyModels.requireSupported(spec);
    long started = System.nanoTime();
    Path work = LocalFolders.fresh(scratch.resolve(request.runId()).resolve(stageName));
    try (NDManager manager = NDManager.newBaseManager();
        ShardReader shards = PreparedDataReader.of(store, request.data())
            .openShards(stage == TrainerConfig.Stage.ALIGN ? DataPrepper.STAGE1_PREFIX : DataPrepper.STAGE2_PREFIX,
                work.resolve("shards"))) {
      TrainerConfig config = trainerConfig(spec, stage);
      TinyLlava model = initialModel(request, stage, work, manager);
      adapt(model, config.tuning(), context.label());
      CheckpointStore checkpoints = CheckpointStore.forStage(store, request.runId(), stageName);
      Optional<RestoredCheckpoint> restored = checkpoints.restoreNewest(work.resolve("restore"));
      long resumedFrom = restored.map(RestoredCheckpoint::step).orElse(0L);
      long recomputed = TrainingHeartbeat.recomputedAfterResume(context.previousAttempt(), resumedFrom);
      AtomicReference<String> lastCheckpoint = new AtomicReference<>(restored.map(RestoredCheckpoint::uri).orElse(""));
      log.info("{}: training {} samples from step {}{}", context.label(), shards.size(), resumedFrom,
          restored.map(r -> " (checkpoint " + r.uri() + ")").orElse(" (fresh)"));

      TrainingLoop loop = new TrainingLoop(model, config, shards, work.resolve("ckpt"));
      long total = loop.totalSteps();
      StepRate rate = new StepRate(resumedFrom);
      LrSchedule schedule = config.lrSchedule(total);
      StageMetrics metrics = StageMetrics.resume(store, request.runId(), stageName, resumedFrom);
      loop.onStep((step, totalSteps, loss, tokensPerSec) -> {
            metrics.record(step, loss, schedule.at(step - 1));
            context.progress(new StageProgress(stageName, step, totalSteps, loss, schedule.at(step - 1), tokensPerSec,
                rate.etaSeconds(step, totalSteps), lastCheckpoint.get()), recomputed);
          })
          .onCheckpoint((step, folder) -> {
            String uri = checkpoints.commit(step, folder);
            lastCheckpoint.set(uri);
            metrics.upload();
            int removed = checkpoints.retain(spec.checkpoint().keep());
            LocalFolders.delete(folder);
            log.info("{}: checkpoint committed step={}/{} uri={} pruned={}", context.label(), step, total, uri, removed);
          })
          .stopWhen(context::stopRequested);
      TrainingOutcome outcome;
      try {
        outcome = loop.run(restored.map(RestoredCheckpoint::localFolder).orElse(null));
      } catch (TrainingDivergedException e) {
        // Deterministic: a retry from the same checkpoint would diverge at the same step.
        metrics.upload(); // the curve up to the divergence is what a person needs to see
        throw ApplicationFailure.newNonRetryableFailure(stageName + ": " + e.getMessage(), DIVERGED);
      }
      if (outcome.stoppedEarly()) {
        throw handBack(stageName + " handed back at step " + outcome.steps() + " because the worker"
            + " is shutting down; checkpoint " + lastCheckpoint.get() + " holds it and the retry resumes there");
      }
      metrics.upload();
      Path output = work.resolve("output");
      Tuning tuning = config.tuning();
      if (tuning.adapters()) {
        // The adapters and projector only; the base stays where stage 1 put it.
        AdapterFiles.save(model, tuning.lora(), request.initFrom(), tuning.method() == Tuning.Method.QLORA, output);
      } else {
        ModelFiles.save(model, output);
      }
      TrainResult result = new TrainResult(stageName, outputs.uri(), outcome.steps(), outcome.finalLoss(),
          resumedFrom, recomputed, trainableParameters(model, config),
          (System.nanoTime() - started) / 1e9, lastCheckpoint.get());
      outputs.commit(output, result);
      log.info("{}: done steps={} loss={} resumedFrom={} recomputed={} output={}", context.label(),
          outcome.steps(), String.format("%.4f", outcome.finalLoss()), resumedFrom, recomputed, outputs.uri());
      return result;
    } finally {
      LocalFolders.delete(work);
    }
  }

  /** Retryable: the work is safe in S3 and another worker (or this one, restarted) goes on. */
  private static ApplicationFailure handBack(String message) {
    return ApplicationFailure.newFailure(message, WORKER_SHUTDOWN);
  }

  /** LoRA / QLoRA: quantise the base and attach adapters; a target the LM lacks is a spec error. */
  private static void adapt(TinyLlava model, Tuning tuning, String label) {
    Optional<QuantizedBase> quantized;
    try {
      quantized = tuning.adapt(model);
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure("tuning.targetModules: " + e.getMessage(), TinyModels.UNSUPPORTED);
    }
    quantized.ifPresent(base -> log.info("{}: NF4 base: {} linear layers, {} weights held in {} bytes ({} bits per weight)",
        label, base.layers(), base.parameters(), base.bytesHeld(), String.format("%.3f", base.bitsPerParameter())));
  }

  private static long trainableParameters(TinyLlava model, TrainerConfig config) {
    return model.trainOnly(config::trains).values().stream()
        .mapToLong(p -> p.getArray().size())
        .sum();
  }

  private TinyLlava initialModel(TrainRequest request, TrainerConfig.Stage stage, Path work, NDManager manager)
      throws IOException {
    if (stage == TrainerConfig.Stage.ALIGN) {
      return TinyLlava.create(TinyModels.config(request.spec(), request.data().vocabSize()),
          request.spec().seed(), manager);
    }
    return TrainedModels.load(store, request.initFrom(), work.resolve("init"), manager);
  }

  static TrainerConfig trainerConfig(RunSpec spec, TrainerConfig.Stage stage) {
    StageSpec s = stage == TrainerConfig.Stage.ALIGN ? spec.stage1() : spec.stage2();
    return new TrainerConfig(stage, s.learningRate(), s.warmupRatio(), s.schedule(), s.weightDecay(),
        s.batchSize(), s.epochs(), s.maxSteps(), spec.seed(), spec.checkpoint().everySteps(),
        stage == TrainerConfig.Stage.ALIGN ? Tuning.FULL : TinyModels.tuning(spec));
  }
}
