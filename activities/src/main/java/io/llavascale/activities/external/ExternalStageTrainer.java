package io.llavascale.activities.external;

import io.llavascale.activities.dataprep.DataPrepper;
import io.llavascale.activities.dataprep.PreparedDataReader;
import io.llavascale.activities.lifecycle.LocalFolders;
import io.llavascale.activities.lifecycle.StageContext;
import io.llavascale.activities.lifecycle.StepRate;
import io.llavascale.activities.lifecycle.TrainingHeartbeat;
import io.llavascale.activities.store.CheckpointStore;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.RestoredCheckpoint;
import io.llavascale.activities.store.S3Uri;
import io.llavascale.activities.store.StageMetrics;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.activities.store.StorePaths;
import io.llavascale.activities.train.StageRunner;
import io.llavascale.activities.train.StageTrainer;
import io.llavascale.activities.train.TinyModels;
import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.activities.external.ReferenceCommand.Rendezvous;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.stages.GangRank;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.StageProgress;
import io.llavascale.workflows.stages.TrainRequest;
import io.llavascale.workflows.stages.TrainResult;
import io.temporal.failure.ApplicationFailure;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training stage of the external backend: the reference trainer (or any command honouring its
 * flags and checkpoint-N layout, such as {@code llava train-process}) runs as a child process
 * tree while this activity heartbeats its logged progress, syncs its checkpoints with S3, forwards
 * a worker shutdown to it as SIGTERM, and on a retry puts the newest committed checkpoint back
 * where the trainer's own resume finds it.
 */
public final class ExternalStageTrainer implements StageRunner {
  /** Retryable failure type of a trainer that exited non-zero (crash, OOM kill, lost node). */
  public static final String TRAINER_FAILED = "TrainerFailed";
  private static final Duration POLL = Duration.ofMillis(500);
  /** The last upload of an attempt rides out a short store outage (1+2+4+8 s of pauses). */
  private static final int FINAL_UPLOAD_ATTEMPTS = 5;
  private static final Duration FINAL_UPLOAD_PAUSE = Duration.ofSeconds(1);
  private static final Logger log = LoggerFactory.getLogger(ExternalStageTrainer.class);

  private final ObjectStore store;
  private final Path scratch;
  private final ExternalTrainerSettings settings;

  @Inject
  public ExternalStageTrainer(ObjectStore store, @Named("scratch") Path scratch, ExternalTrainerSettings settings) {
    this.store = store;
    this.scratch = scratch;
    this.settings = settings;
  }

  @Override
  public TrainResult train(TrainRequest request, TrainerConfig.Stage stage, StageContext context) throws IOException {
    String stageName = stage == TrainerConfig.Stage.ALIGN ? StageNames.ALIGN : StageNames.TUNE;
    StageOutputs outputs = StageOutputs.forStage(store, request.runId(), stageName);
    Optional<TrainResult> committed = outputs.readCommitted(TrainResult.class);
    if (committed.isPresent()) {
      log.info("{}: output already committed at {}; returning it", context.label(), outputs.uri());
      return committed.get();
    }
    RunSpec spec = request.spec();
    requireRunnable(request);
    GangRank gang = request.gang();
    // Rank 0 (or the only node) uploads checkpoints and commits; the other ranks of a gang only
    // restore the same newest checkpoint, so every rank starts from one step.
    boolean uploads = gang == null || gang.rank() == 0;
    long started = System.nanoTime();
    Path runScratch = scratch.resolve(request.runId());
    Path work = LocalFolders.fresh(runScratch.resolve(stageName + "-external" + (gang == null ? "" : "-rank" + gang.rank())));
    try {
      StagePaths paths = StagePaths.forStage(spec, stage, work, runScratch.resolve("inputs"));
      localiseInputs(request, stage, paths);
      Path outputDir = Path.of(paths.outputDir());
      CheckpointSync sync = new CheckpointSync(outputDir, work.resolve("sync"),
          CheckpointStore.forStage(store, request.runId(), stageName), spec.checkpoint().keep(), context.label());
      Optional<RestoredCheckpoint> restored = sync.restore();
      long resumedFrom = restored.map(RestoredCheckpoint::step).orElse(0L);
      long recomputed = TrainingHeartbeat.recomputedAfterResume(previousAttempt(stageName, gang, context), resumedFrom);
      TrainerCommand command = ReferenceCommand.forStage(spec, stage, paths, rendezvous(gang, context))
          .withLauncher(settings.launcher());
      TrainerLog trainerLog = new TrainerLog(resumedFrom);
      StageMetrics metrics = StageMetrics.resume(store, request.runId(), stageName, resumedFrom);
      Consumer<String> logLine = line -> {
        if (trainerLog.accept(line)) {
          TrainerLog.Progress p = trainerLog.progress();
          metrics.record(p.step(), p.loss(), p.learningRate());
        }
      };
      Path logFile = work.resolve("trainer.log");
      String logKey = StorePaths.stageRoot(request.runId(), stageName) + "logs/trainer-"
          + (gang == null ? "" : "rank" + gang.rank() + "-") + Instant.now() + ".log";
      StepRate rate = new StepRate(resumedFrom);
      Runnable report = () -> {
        TrainerLog.Progress p = trainerLog.progress();
        context.progress(new StageProgress(stageName, p.step(), p.totalSteps(), p.loss(), p.learningRate(), 0,
            rate.etaSeconds(p.step(), p.totalSteps()), sync.lastUri()), recomputed);
      };
      log.info("{}: launching the external trainer{} from step {}{}", context.label(),
          gang == null ? "" : " as rank " + gang.rank() + " of " + gang.worldSize() + " (" + gang.rendezvousId() + ")",
          resumedFrom, restored.map(r -> " (checkpoint " + r.uri() + ")").orElse(" (fresh)"));

      Exit exit = runTrainer(command, outputDir, logFile, logLine, trainerLog, uploads ? sync : null, report, context,
          () -> {
            uploadLog(logFile, logKey);
            uploadMetrics(metrics);
          });
      // Whatever complete checkpoint the trainer left goes up before the attempt ends.
      if (uploads && !flushCheckpoints(sync, exit.code == 0, trainerLog)) {
        log.warn("{}: the newest checkpoint could not be uploaded; a retry resumes from {}", context.label(),
            sync.lastUri().isEmpty() ? "step 0" : sync.lastUri());
      }
      uploadLog(logFile, logKey);
      if (uploads) {
        uploadMetrics(metrics); // one curve per stage: every rank logs the same loss
      }
      report.run();
      TrainerLog.Progress last = trainerLog.progress();
      if (exit.stopped) {
        throw ApplicationFailure.newFailure(stageName + " handed back at step " + last.step()
            + " because the worker is shutting down or the gang stopped; the newest checkpoint "
            + (sync.lastUri().isEmpty() ? "(none yet)" : sync.lastUri()) + " holds it and the retry resumes there",
            StageTrainer.WORKER_SHUTDOWN, last.step(), recomputed);
      }
      if (exit.code != 0) {
        throw ApplicationFailure.newFailure(stageName + ": trainer exited with status " + exit.code + " at step "
            + last.step() + "; the retry resumes from " + (sync.lastUri().isEmpty() ? "step 0" : sync.lastUri())
            + ". Log " + store.uri(logKey) + " ends with:\n" + tail(logFile), TRAINER_FAILED, last.step(), recomputed);
      }
      TrainResult result = new TrainResult(stageName, outputs.uri(), last.step(), last.loss(), resumedFrom,
          recomputed, 0, (System.nanoTime() - started) / 1e9, sync.lastUri());
      if (!uploads) {
        log.info("{}: rank {} done steps={}; rank 0 commits the output", context.label(), gang.rank(), last.step());
        return result;
      }
      outputs.commit(finalFiles(outputDir, work.resolve("final")), result);
      log.info("{}: done steps={} loss={} resumedFrom={} recomputed={} output={}", context.label(), last.step(),
          String.format("%.4f", last.loss()), resumedFrom, recomputed, outputs.uri());
      return result;
    } finally {
      LocalFolders.delete(work);
    }
  }

  /**
   * What the attempt before this one reached. A gang's ranks are never retried alone (each gang
   * attempt is a new activity), so the pipeline carries that forward in the rank itself.
   */
  private static Optional<TrainingHeartbeat> previousAttempt(String stageName, GangRank gang, StageContext context) {
    if (gang == null) {
      return context.previousAttempt();
    }
    return Optional.of(new TrainingHeartbeat(
        new StageProgress(stageName, gang.reachedStep(), 0, 0, 0, 0, 0, ""), gang.stepsRecomputed()));
  }

  /** Rank 0 picks where it listens and tells the pipeline, which then starts the other ranks. */
  private Rendezvous rendezvous(GangRank gang, StageContext context) throws IOException {
    if (gang == null) {
      return Rendezvous.PLACEHOLDERS; // unused on one node
    }
    String master = gang.master();
    if (gang.rank() == 0) {
      master = settings.gangHost() + ":" + (settings.gangPort() == 0 ? freePort() : settings.gangPort());
      context.gangMasterReady(gang.rendezvousId(), master);
      log.info("{}: gang {} master at {}", context.label(), gang.rendezvousId(), master);
    }
    int colon = master.lastIndexOf(':');
    return new Rendezvous(Integer.toString(gang.rank()), master.substring(0, colon), master.substring(colon + 1),
        gang.rendezvousId());
  }

  private static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0)) {
      return probe.getLocalPort();
    }
  }

  private record Exit(int code, boolean stopped) {}

  private static boolean flushCheckpoints(CheckpointSync sync, boolean exitedCleanly, TrainerLog trainerLog)
      throws IOException {
    try {
      return sync.flush(exitedCleanly, trainerLog::progress, FINAL_UPLOAD_ATTEMPTS, FINAL_UPLOAD_PAUSE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while uploading the last checkpoint", e);
    }
  }

  /**
   * Runs the trainer to its end, or until a worker shutdown (or the cancel of a failed gang) has
   * given it its grace period. {@code sync} is null on a rank that does not upload.
   */
  private Exit runTrainer(TrainerCommand command, Path outputDir, Path logFile, Consumer<String> logLine,
      TrainerLog trainerLog,
      CheckpointSync sync, Runnable report, StageContext context, Runnable onCheckpoint) throws IOException {
    Files.createDirectories(outputDir);
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "checkpoint-sync");
      t.setDaemon(true);
      return t;
    });
    try (TrainerProcess trainer = TrainerProcess.start(command.commandLine(), settings.trainerDir(),
        Map.of("PYTHONUNBUFFERED", "1"), logFile, logLine)) {
      watcher.scheduleWithFixedDelay(() -> {
        report.run();
        if (sync != null && sync.sync(false, trainerLog::progress)) {
          onCheckpoint.run();
        }
      }, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
      long deadline = Long.MAX_VALUE;
      boolean stopped = false;
      while (!trainer.waitFor(POLL)) {
        if (!stopped && context.stopRequested()) {
          stopped = true;
          deadline = System.nanoTime() + settings.grace().toNanos();
          log.info("{}: worker shutting down or gang stopped; SIGTERM to the trainer, {}s for its final checkpoint",
              context.label(), settings.grace().toSeconds());
          trainer.terminate();
        }
        if (System.nanoTime() > deadline) {
          log.warn("{}: trainer still running after its grace period; killing it", context.label());
          return new Exit(-1, true);
        }
      }
      return new Exit(trainer.exitCode(), stopped);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the trainer ran", e);
    } finally {
      watcher.shutdown(); // an upload in flight finishes; no new sync starts
      try {
        watcher.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** ShareGPT mixing of raw data is not built for this backend yet; a gang needs its rank. */
  private static void requireRunnable(TrainRequest request) {
    RunSpec spec = request.spec();
    if (spec.compute().nodes() > 1 && request.gang() == null) {
      throw ApplicationFailure.newNonRetryableFailure("compute.nodes " + spec.compute().nodes() + ": a multi-node"
          + " stage runs as a gang the pipeline starts, one rank per activity; this request names no rank",
          TinyModels.UNSUPPORTED);
    }
    if (!StagePaths.isTiny(spec) && !spec.data().sharegpt().isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure("data.sharegpt: the external backend does not mix ShareGPT"
          + " into the reference trainer's data yet; allowed: \"\"", TinyModels.UNSUPPORTED);
    }
  }

  /** Puts the stage's inputs where the generated flags point. */
  private void localiseInputs(TrainRequest request, TrainerConfig.Stage stage, StagePaths paths) throws IOException {
    boolean align = stage == TrainerConfig.Stage.ALIGN;
    if (!align) {
      store.getPrefix(S3Uri.parse(request.initFrom()).key(), Path.of(paths.pretrainAdapter()).getParent());
    }
    if (StagePaths.isTiny(request.spec())) {
      PreparedDataReader.of(store, request.data())
          .downloadShards(align ? DataPrepper.STAGE1_PREFIX : DataPrepper.STAGE2_PREFIX, Path.of(paths.dataPath()));
      Path base = Files.createDirectories(Path.of(paths.modelNameOrPath()));
      TinyModels.config(request.spec(), request.data().vocabSize()).write(base.resolve(TinyLlavaConfig.FILE_NAME));
      return;
    }
    String dataset = align ? request.spec().data().stage1() : request.spec().data().stage2();
    mirror(S3Uri.parse(dataset).key(), Path.of(paths.dataPath()));
    String images = S3Uri.parse(request.spec().data().images()).key();
    String root = images.endsWith("/") ? images : images + "/";
    for (String key : store.list(root)) {
      mirror(key, Path.of(paths.imageFolder()).resolve(key.substring(root.length())));
    }
  }

  /** The node's dataset cache: a file is there whole or not at all (downloaded aside, then moved). */
  private void mirror(String key, Path file) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    Files.createDirectories(file.getParent());
    Path part = file.resolveSibling(file.getFileName() + ".part");
    store.getFile(key, part);
    Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The trainer's final files: output_dir without its checkpoint-N folders. */
  private static Path finalFiles(Path outputDir, Path target) throws IOException {
    LocalFolders.fresh(target);
    try (Stream<Path> list = Files.list(outputDir)) {
      for (Path p : (Iterable<Path>) list::iterator) {
        if (!p.getFileName().toString().startsWith("checkpoint-")) {
          Files.move(p, target.resolve(p.getFileName()));
        }
      }
    }
    return target;
  }

  /** The log so far goes up as a snapshot (the trainer keeps appending to the file). */
  private void uploadLog(Path logFile, String key) {
    try {
      Path snapshot = logFile.resolveSibling("trainer.log.upload");
      Files.copy(logFile, snapshot, StandardCopyOption.REPLACE_EXISTING);
      store.putFile(key, snapshot);
    } catch (IOException | RuntimeException e) {
      log.warn("trainer log not uploaded to {}: {}", store.uri(key), e.toString());
    }
  }

  /** The loss curve is for the report; a failed upload must not fail the stage. */
  private void uploadMetrics(StageMetrics metrics) {
    try {
      metrics.upload();
    } catch (RuntimeException e) {
      log.warn("stage metrics not uploaded: {}", e.toString());
    }
  }

  private static String tail(Path logFile) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
      long from = Math.max(0, f.length() - 2000);
      byte[] bytes = new byte[(int) (f.length() - from)];
      f.seek(from);
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }
}
