package io.llavascale.workers.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.activities.dataprep.DataPrepper;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.external.ExternalStageTrainer;
import io.llavascale.activities.external.ExternalTrainerSettings;
import io.llavascale.activities.lifecycle.StageContext;
import io.llavascale.activities.lifecycle.TrainingHeartbeat;
import io.llavascale.activities.store.CheckpointStore;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.StageMetrics;
import io.llavascale.activities.store.S3ObjectStore;
import io.llavascale.activities.train.StageTrainer;
import io.llavascale.infra.config.EmbeddedStack;
import io.llavascale.infra.config.S3Clients;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.model.train.TrainerConfig.Stage;
import io.llavascale.workers.client.DatasetUpload;
import io.llavascale.workers.client.DemoDataset;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.RunSpecParser;
import io.llavascale.workflows.stages.GangRank;
import io.llavascale.workflows.stages.PreparedData;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.StageProgress;
import io.llavascale.workflows.stages.TrainRequest;
import io.llavascale.workflows.stages.TrainResult;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The external backend for real: stage 2 runs `llava train-process` as the reference command in
 * its own process, against the embedded S3. The trainer is SIGKILLed, SIGTERMed and hit by an S3
 * outage; every time the stage ends with exactly the loss of the in-JVM backend, having restored
 * only committed checkpoints.
 */
class ExternalStageTrainerTest {
  static final int EVERY = 10;
  static final int STEPS = 60;

  @TempDir static Path home;
  static EmbeddedStack stack;
  static FlakyObjectStore store;
  static RunSpec spec;
  static RunSpec gangSpec;
  static final Map<String, PreparedData> prepared = new ConcurrentHashMap<>();
  static String stage1Output;
  static TrainResult inJvm;

  @BeforeAll
  static void setUp() throws Exception {
    stack = EmbeddedStack.start(StackConfig.fromEnv(Map.of(StackConfig.ENV_HOME, home.toString())), 0, 0);
    ObjectStore s3 = new S3ObjectStore(S3Clients.create(stack.config()), stack.config().s3Bucket());
    store = new FlakyObjectStore(s3);
    Path data = home.resolve("dataset");
    SyntheticDataset.write(data, SyntheticDataset.Options.of(5, 64, 96, 0, 4));
    DatasetUpload.upload(s3, data, "datasets/ext/");
    Map<String, Object> dataSection = DemoDataset.dataSection(s3, "datasets/ext/", false);
    spec = spec(dataSection, 1);
    gangSpec = spec(dataSection, 2);
    // The reference the external runs must reproduce: the same stages in this JVM.
    StageTrainer jvm = new StageTrainer(s3, home.resolve("scratch-jvm"));
    TrainResult align = jvm.train(request("jvm", ""), Stage.ALIGN, new Recording(Optional.empty(), s -> false));
    inJvm = jvm.train(request("jvm", align.outputUri()), Stage.TUNE, new Recording(Optional.empty(), s -> false));
  }

  @AfterAll
  static void tearDown() {
    stack.close();
  }

  @Test
  void trainProcessAsTheReferenceCommandReproducesTheInJvmTrainer() throws Exception {
    TrainResult tune = stage2("plain", new Recording(Optional.empty(), s -> false));
    assertEquals(STEPS, tune.steps());
    assertEquals(inJvm.finalLoss(), tune.finalLoss(), 1e-6, "same loop, same seed, other process");
    assertEquals(STEPS, committed("plain").get(0));
    assertTrue(committed("plain").size() <= 2, "keep 2");
    assertTrue(store.list("runs/plain/stage2/logs/").size() >= 1, "the trainer's log is kept in S3");
    List<StageMetrics.Point> logged = StageMetrics.read(store, "plain", StageNames.TUNE);
    List<StageMetrics.Point> reference = StageMetrics.read(store, "jvm", StageNames.TUNE);
    assertEquals(STEPS, logged.size(), "metrics.jsonl has a line per logged step");
    for (int i = 0; i < STEPS; i++) {
      assertEquals(reference.get(i).step(), logged.get(i).step());
      assertEquals(reference.get(i).loss(), logged.get(i).loss(), 1e-6, "step " + (i + 1));
    }
  }

  @Test
  void sigkilledTrainerIsRetriedFromTheLastUploadedCheckpoint() throws Exception {
    String run = "killed";
    Recording first = new Recording(Optional.empty(), s -> false);
    CompletableFuture<TrainResult> attempt = CompletableFuture.supplyAsync(() -> stage2Unchecked(run, first));
    awaitCommitted(run, 2 * EVERY);
    List<ProcessHandle> trainers = trainProcesses(run);
    assertEquals(1, trainers.size(), "one trainer process for the run");
    trainers.forEach(ProcessHandle::destroyForcibly); // SIGKILL: no checkpoint of its own
    ApplicationFailure failed = (ApplicationFailure) assertThrows(Exception.class, attempt::join).getCause();
    assertEquals(ExternalStageTrainer.TRAINER_FAILED, failed.getType());
    long committedAtKill = committed(run).get(0);

    TrainResult retry = stage2(run, new Recording(Optional.of(first.last), s -> false));
    assertEquals(committedAtKill, retry.resumedFromStep());
    assertTrue(retry.stepsRecomputed() <= EVERY, "recomputed " + retry.stepsRecomputed());
    assertEquals(inJvm.finalLoss(), retry.finalLoss(), 1e-6);
  }

  @Test
  void sigtermGetsAJustInTimeCheckpointAndTheRetryRecomputesNothing() throws Exception {
    String run = "terminated";
    Recording stopping = new Recording(Optional.empty(), step -> step >= 5);
    ApplicationFailure handedBack = assertThrows(ApplicationFailure.class, () -> stage2(run, stopping));
    assertEquals(StageTrainer.WORKER_SHUTDOWN, handedBack.getType());
    long atStop = committed(run).get(0);
    assertEquals(stopping.last.progress().step(), atStop, "the checkpoint is of the step the trainer reached");
    assertTrue(atStop >= 5 && atStop < STEPS, "stopped at " + atStop);

    TrainResult retry = stage2(run, new Recording(Optional.of(stopping.last), s -> false));
    assertEquals(atStop, retry.resumedFromStep());
    assertEquals(0, retry.stepsRecomputed());
    assertEquals(inJvm.finalLoss(), retry.finalLoss(), 1e-6);
  }

  @Test
  void anS3OutageNeverLeavesAHalfUploadedCheckpointToRestoreAndUploadsAreRetried() throws Exception {
    String run = "outage";
    stage1();
    store.outagePrefix.set("runs/" + run + "/stage2/");
    Recording first = new Recording(Optional.empty(), s -> false);
    CompletableFuture<TrainResult> attempt = CompletableFuture.supplyAsync(() -> stage2Unchecked(run, first));
    CheckpointStore checkpoints = CheckpointStore.forStage(store, run, StageNames.TUNE);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (store.list(checkpoints.root()).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "no upload was attempted");
      Thread.sleep(20);
    }
    trainProcesses(run).forEach(ProcessHandle::destroyForcibly);
    assertThrows(Exception.class, attempt::join, "without S3 the attempt cannot commit anything");
    assertEquals(List.of(), committed(run), "half-uploaded folders are not checkpoints");
    assertTrue(store.list(checkpoints.root()).stream().anyMatch(k -> k.endsWith("model.safetensors")));
    store.outagePrefix.set(null);

    store.failNextPuts.set(3); // a short outage during the retry: the next sync tries again
    TrainResult retry = stage2(run, new Recording(Optional.of(first.last), s -> false));
    assertEquals(0, retry.resumedFromStep(), "nothing committed, so a fresh start");
    assertEquals(0, store.failNextPuts.get(), "the injected failures happened");
    assertEquals(STEPS, committed(run).get(0));
    assertEquals(inJvm.finalLoss(), retry.finalLoss(), 1e-6);
  }

  @Test
  void aGangOfTwoTrainsAsOneAndALostRankRestartsTheWholeGangFromTheLastCheckpoint() throws Exception {
    String run = "gang";
    String init = stage1();
    Recording[] first = {new Recording(Optional.empty(), s -> false), new Recording(Optional.empty(), s -> false)};
    List<CompletableFuture<TrainResult>> gang = startGang(run, init, new GangRank(run + "-stage2-1", 0, 2, "", 0, 0), first);
    awaitCommitted(run, 2 * EVERY);
    List<ProcessHandle> rank1 = trainProcesses(run).stream().filter(p -> cmdline(p).contains("-rank1/")).toList();
    assertEquals(1, rank1.size(), "one trainer process for rank 1");
    rank1.forEach(ProcessHandle::destroyForcibly); // rank 1's node is lost
    for (CompletableFuture<TrainResult> rank : gang) {
      ApplicationFailure failed = (ApplicationFailure) assertThrows(Exception.class, rank::join).getCause();
      assertEquals(ExternalStageTrainer.TRAINER_FAILED, failed.getType(), "rank 0 cannot go on without rank 1");
    }
    long committedAtKill = committed(run).get(0);
    assertTrue(committedAtKill >= 2 * EVERY && committedAtKill < STEPS, "committed " + committedAtKill);

    // The pipeline's next gang: a new rendezvous, every rank from the newest committed checkpoint.
    long reached = Math.max(first[0].last.progress().step(), first[1].last.progress().step());
    Recording[] second = {new Recording(Optional.empty(), s -> false), new Recording(Optional.empty(), s -> false)};
    List<TrainResult> done = startGang(run, init, new GangRank(run + "-stage2-2", 0, 2, "", reached, 0), second)
        .stream().map(CompletableFuture::join).toList();
    for (TrainResult rank : done) {
      assertEquals(committedAtKill, rank.resumedFromStep());
      assertTrue(rank.stepsRecomputed() <= EVERY, "recomputed " + rank.stepsRecomputed());
      assertEquals(STEPS, rank.steps());
      assertEquals(inJvm.finalLoss(), rank.finalLoss(), 1e-6, "two ranks of the global batch end as one process");
    }
    assertEquals(STEPS, committed(run).get(0), "rank 0 uploads and commits");
    assertEquals(STEPS, StageMetrics.read(store, run, StageNames.TUNE).size(), "one loss curve, each step once");
  }

  // ---------------------------------------------------------------------------------------------

  private static RunSpec spec(Map<String, Object> data, int nodes) {
    return RunSpecParser.parse(Map.of(
        "preset", "tiny-full",
        "model", Map.of("hidden", 32, "layers", 1, "heads", 2),
        "data", data,
        "stage1", Map.of("maxSteps", 10, "batchSize", 8),
        "stage2", Map.of("maxSteps", STEPS, "batchSize", 8, "epochs", 20),
        "checkpoint", Map.of("everySteps", EVERY, "keep", 2),
        "compute", Map.of("backend", "external", "nodes", nodes)));
  }

  /**
   * Rank 0, then (once it has said where it listens) rank 1, as the pipeline's GangStage starts
   * them; each rank has its own scratch folder, as on its own node.
   */
  private static List<CompletableFuture<TrainResult>> startGang(String run, String init, GangRank master,
      Recording[] contexts) throws Exception {
    CompletableFuture<String> address = new CompletableFuture<>();
    Recording rank0 = new Recording(contexts[0].previous, contexts[0].stopAt) {
      @Override
      public void gangMasterReady(String rendezvousId, String hostPort) {
        assertEquals(master.rendezvousId(), rendezvousId);
        address.complete(hostPort);
      }
    };
    contexts[0] = rank0;
    TrainRequest request = new TrainRequest(run, gangSpec, request(run, "").data(), init);
    CompletableFuture<TrainResult> first = CompletableFuture.supplyAsync(
        () -> rankUnchecked(request.forRank(master), rank0));
    GangRank member = master.member(1, address.get(3, TimeUnit.MINUTES));
    CompletableFuture<TrainResult> second = CompletableFuture.supplyAsync(
        () -> rankUnchecked(request.forRank(member), contexts[1]));
    return List.of(first, second);
  }

  private static TrainResult rankUnchecked(TrainRequest request, Recording context) {
    try {
      return new ExternalStageTrainer(store, home.resolve("scratch-rank" + request.gang().rank()), settings())
          .train(request, Stage.TUNE, context);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }


  private static ExternalStageTrainer trainer() throws Exception {
    return new ExternalStageTrainer(store, home.resolve("scratch"), settings());
  }

  /** Stage 1 through the external backend, once; every run's stage 2 starts from its output. */
  private static synchronized String stage1() throws Exception {
    if (stage1Output == null) {
      stage1Output = trainer().train(request("stage1", ""), Stage.ALIGN, new Recording(Optional.empty(), s -> false))
          .outputUri();
    }
    return stage1Output;
  }

  private static TrainResult stage2(String run, Recording context) throws Exception {
    return trainer().train(request(run, stage1()), Stage.TUNE, context);
  }

  private static TrainResult stage2Unchecked(String run, Recording context) {
    try {
      return stage2(run, context);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static TrainRequest request(String run, String initFrom) {
    PreparedData data = prepared.computeIfAbsent(run,
        r -> new DataPrepper(store).prepare(r, spec, DataPrepper.Progress.NONE).data());
    return new TrainRequest(run, spec, data, initFrom);
  }

  /** `llava train-process` in a child JVM with this test's classpath. */
  private static ExternalTrainerSettings settings() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ExternalTrainerSettings(List.of(java, "-Xmx1g", "-Dai.djl.offline=true", "-cp",
        System.getProperty("java.class.path"), "io.llavascale.workers.cli.LlavaCli", "train-process"),
        Files.createDirectories(home.resolve("trainer-dir")), Duration.ofSeconds(60), "127.0.0.1", 0);
  }

  /** Read from /proc: ProcessHandle.Info cuts long command lines (the classpath comes first). */
  private static List<ProcessHandle> trainProcesses(String run) {
    return ProcessHandle.current().descendants().filter(p -> {
      String cmd = cmdline(p);
      // the JVM itself, not its wrapper shell (whose arguments name it too)
      return cmd.startsWith(Path.of(System.getProperty("java.home"), "bin", "java").toString())
          && cmd.contains("train-process") && cmd.contains("/" + run + "/");
    }).toList();
  }

  private static String cmdline(ProcessHandle p) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
    } catch (java.io.IOException gone) {
      return "";
    }
  }

  private static void awaitCommitted(String run, long step) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (committed(run).isEmpty() || committed(run).get(0) < step) {
      assertTrue(System.nanoTime() < deadline, "step " + step + " never committed");
      Thread.sleep(20);
    }
  }

  private static List<Long> committed(String run) {
    return CheckpointStore.forStage(store, run, StageNames.TUNE).listCommitted().stream()
        .map(CheckpointStore.Committed::step).toList();
  }

  /** Keeps the last heartbeat; asks to stop once the reported step passes a test. */
  static class Recording implements StageContext {
    final Optional<TrainingHeartbeat> previous;
    final LongPredicate stopAt;
    volatile TrainingHeartbeat last;

    Recording(Optional<TrainingHeartbeat> previous, LongPredicate stopAt) {
      this.previous = previous;
      this.stopAt = stopAt;
    }

    @Override
    public void progress(StageProgress progress, long stepsRecomputed) {
      last = new TrainingHeartbeat(progress, stepsRecomputed);
    }

    @Override
    public Optional<TrainingHeartbeat> previousAttempt() {
      return previous;
    }

    @Override
    public boolean stopRequested() {
      return last != null && stopAt.test(last.progress().step());
    }

    @Override
    public String label() {
      return "test";
    }
  }
}
