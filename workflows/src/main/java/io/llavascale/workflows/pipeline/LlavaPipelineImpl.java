package io.llavascale.workflows.pipeline;

import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.stages.AlignStageActivity;
import io.llavascale.workflows.stages.CommittedStages;
import io.llavascale.workflows.stages.DataPrepActivity;
import io.llavascale.workflows.stages.EvalRequest;
import io.llavascale.workflows.stages.EvalResult;
import io.llavascale.workflows.stages.EvaluateActivity;
import io.llavascale.workflows.stages.MergeLoraActivity;
import io.llavascale.workflows.stages.MergeRequest;
import io.llavascale.workflows.stages.MergeResult;
import io.llavascale.workflows.stages.PreparedData;
import io.llavascale.workflows.stages.RunLedgerActivity;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.StageProgress;
import io.llavascale.workflows.stages.TaskQueues;
import io.llavascale.workflows.stages.TrainRequest;
import io.llavascale.workflows.stages.TrainResult;
import io.llavascale.workflows.stages.TuneStageActivity;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.unsafe.WorkflowUnsafe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The paper's recipe as one durable run. Deterministic code only: every side effect is an
 * activity, time is {@link Workflow#currentTimeMillis()}, and the spec is resolved once and recorded
 * in history.
 *
 * <p>Stop semantics: {@code pause} and {@code cancel} take effect BETWEEN stages; the running stage
 * always finishes (it checkpoints on its own, so nothing is gained by killing it). A {@code cancel}
 * signal ends the run by failing it with a non-retryable {@code ApplicationFailure} of type {@code
 * Cancelled} whose details are the partial {@link PipelineReport} (remaining stages {@code
 * cancelled}); the same partial report is written to the ledger so {@code llava resume} can go on
 * from the committed stages. We fail rather than return a report so that the UI, the CLI and
 * Schedules all see that the run did not produce a model. A Temporal-native cancel request (UI
 * "Cancel") also works: it marks the remaining stages cancelled and the workflow ends Canceled.
 */
public class LlavaPipelineImpl implements LlavaPipeline {

  /** Failure types no retry can fix: bad records past the threshold, a spec that cannot run. */
  public static final String BAD_DATASET = "BadDataset";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String CANCELLED = "Cancelled";
  /** dataFrom / stage1From / stage2From names a run without that committed stage: nothing to share, no retry helps. */
  public static final String MISSING_SHARED_STAGES = "MissingSharedStages";

  private static final String[] DO_NOT_RETRY = {BAD_DATASET, INVALID_SPEC};

  // ---- activity timeouts and retries (why each value is what it is) ----------------------------

  /**
   * Every retry starts 1 s after a failure and doubles: a flaky S3 call or a lost worker gets
   * another go almost at once, and a longer outage is not hammered.
   */
  static final Duration INITIAL_RETRY = Duration.ofSeconds(1);

  static final double BACKOFF = 2.0;

  /**
   * Training (AlignStage, TuneStage): one attempt may legitimately run for days (65B full FT), so
   * the start-to-close bound only catches a wedged attempt.
   */
  static final Duration TRAIN_START_TO_CLOSE = Duration.ofHours(72);

  /**
   * Training heartbeats every few seconds (DESIGN.md "Heartbeats"), from a background thread while a
   * checkpoint is being written. 45 s tolerates several missed beats (GC pause, slow S3 put) yet
   * notices a SIGKILLed or preempted worker quickly, so the retry (1 s later) starts within a
   * minute of the kill and resumes from the last committed checkpoint.
   */
  static final Duration GPU_HEARTBEAT = Duration.ofSeconds(45);

  /**
   * Preemptions are normal on spot GPUs and every attempt resumes from a checkpoint, so training
   * retries many times; bounded only so that a deterministic bug cannot loop for ever. The 2-minute
   * cap keeps a recovered pool from waiting long for the next try.
   */
  static final int TRAIN_ATTEMPTS = 100;

  static final Duration TRAIN_MAX_INTERVAL = Duration.ofMinutes(2);

  /** Generation over the held-out set: hours at 65B with beam 5; same heartbeat rule as training. */
  static final Duration EVAL_START_TO_CLOSE = Duration.ofHours(24);

  static final int EVAL_ATTEMPTS = 20;

  /**
   * Data prep reads, checks, resizes and tokenizes up to ~640K records on CPU: hours at full scale.
   * It heartbeats per batch of records; 2 minutes allows for slow S3 listings. Bounded at 5 attempts
   * because a failure that survives five tries is a data or code problem a person must look at.
   */
  static final Duration DATA_PREP_START_TO_CLOSE = Duration.ofHours(12);

  static final Duration CPU_HEARTBEAT = Duration.ofMinutes(2);
  static final int DATA_PREP_ATTEMPTS = 5;

  /** Streaming LoRA merge of a 65B model (~130 GB of weights) on CPU: hours, heartbeats per tensor. */
  static final Duration MERGE_START_TO_CLOSE = Duration.ofHours(12);

  static final int MERGE_ATTEMPTS = 10;

  /**
   * Ledger calls are single small S3 reads and writes, idempotent: short timeout, many quick
   * retries (~30 min in all) so an object-store blip never fails a multi-day run.
   */
  static final Duration LEDGER_START_TO_CLOSE = Duration.ofMinutes(2);

  static final int LEDGER_ATTEMPTS = 30;
  static final Duration CPU_MAX_INTERVAL = Duration.ofMinutes(1);

  private final Logger log = Workflow.getLogger(LlavaPipelineImpl.class);

  // ---- run state (read by the progress query) --------------------------------------------------

  private String runId = "";
  private final Map<String, String> sharedStages = new LinkedHashMap<>(); // stage -> run it came from
  private String finalState = ""; // empty while the run is live
  private boolean paused;
  private boolean cancelRequested;
  private String cancelReason = "";

  private final Map<String, StageStatus> stages = new LinkedHashMap<>();
  private String currentStage = "";
  private long step;
  private long totalSteps;
  private double loss;
  private double etaSeconds;
  private String lastCheckpoint = "";

  private long stageStartMillis = -1; // start of the running stage, -1 when none runs
  private int stageGpus; // GPUs the running stage holds (0 for CPU stages)
  private double gpuHoursDone;
  private final GangStage gang = new GangStage();

  public LlavaPipelineImpl() {
    for (String s : StageNames.ALL) {
      stages.put(s, new StageStatus(s, "pending", 0, 0, 0, ""));
    }
  }

  @Override
  public PipelineReport run(Map<String, Object> input) {
    runId = RunIds.current();

    // Resolved once and recorded: replays see this spec even if a preset file changes later.
    // Parsing may load presets from the classpath on first use, hence the deadlock detector is off.
    ResolvedSpec resolved =
        Workflow.sideEffect(
            ResolvedSpec.class,
            () -> WorkflowUnsafe.deadlockDetectorOff(() -> ResolvedSpec.of(input)));
    if (!resolved.valid()) {
      finalState = "failed";
      String msg = "invalid run spec:\n  - " + String.join("\n  - ", resolved.errors());
      log.warn("run {} rejected: {}", runId, msg);
      throw ApplicationFailure.newNonRetryableFailure(msg, INVALID_SPEC, resolved.errors());
    }
    RunSpec spec = resolved.spec();
    if (!spec.resumeFrom().isEmpty()) {
      runId = spec.resumeFrom();
    }
    Workflow.upsertTypedSearchAttributes(
        SearchAttributesKeys.MODEL_SIZE.valueSet(spec.model().size()),
        SearchAttributesKeys.TUNING.valueSet(spec.tuning().method()),
        SearchAttributesKeys.RESOLUTION.valueSet((long) spec.model().resolution()));

    Stubs a = new Stubs(spec.compute().gpuPool());
    Results r = new Results();
    try {
      a.ledger.recordSpec(runId, spec);
      // Always asked, not only with resumeFrom: a run restarted under the same workflow id (for
      // example after the dev server lost its state) must not redo committed work either.
      CommittedStages committed = a.ledger.committedStages(runId);
      if (committed == null) {
        committed = CommittedStages.none();
      }
      if (!spec.dataFrom().isEmpty()) {
        committed = shared(spec, a, committed);
      }
      executeStages(spec, a, committed, r);
    } catch (RunCancelled c) {
      throw cancelled(spec, a, r);
    } catch (CanceledFailure c) {
      cancelledNatively(spec, a, r);
      throw c;
    } catch (ActivityFailure f) {
      if (f.getCause() instanceof CanceledFailure) {
        cancelledNatively(spec, a, r);
        throw f;
      }
      fail(spec, a, r, f);
      throw f;
    }

    String uri;
    try {
      uri = a.ledger.writeReport(runId, report(spec, r, ""));
    } catch (ActivityFailure f) {
      // Every stage committed (a later start reuses them all), but the run has no report.
      finalState = "failed";
      Workflow.upsertTypedSearchAttributes(SearchAttributesKeys.STAGE.valueSet("failed"));
      throw f;
    }
    finalState = "completed";
    Workflow.upsertTypedSearchAttributes(SearchAttributesKeys.STAGE.valueSet("done"));
    log.info("run {} completed: report {}", runId, uri);
    return report(spec, r, uri);
  }

  /** Results gathered so far. */
  private static final class Results {
    PreparedData data;
    TrainResult align;
    TrainResult tune;
    MergeResult merge;
    EvalResult eval;
  }

  /**
   * A study's shared work: data prep (dataFrom), stage 1 (stage1From) and stage 2 with its merge
   * (stage2From) come from other runs' committed outputs, by URI, never copied; the later stages
   * are this run's own, so resume still reads them from this run's ledger.
   */
  private CommittedStages shared(RunSpec spec, Stubs a, CommittedStages own) {
    PreparedData data = sharedStage(a, spec.dataFrom(), StageNames.DATA_PREP, CommittedStages::dataPrep);
    TrainResult align = spec.stage1From().isEmpty()
        ? own.align()
        : sharedStage(a, spec.stage1From(), StageNames.ALIGN, CommittedStages::align);
    if (spec.stage2From().isEmpty()) {
      return new CommittedStages(data, align, own.tune(), own.merge(), own.eval());
    }
    TrainResult tune = sharedStage(a, spec.stage2From(), StageNames.TUNE, CommittedStages::tune);
    MergeResult merge = spec.tuning().isFull()
        ? own.merge()
        : sharedStage(a, spec.stage2From(), StageNames.MERGE, CommittedStages::merge);
    return new CommittedStages(data, align, tune, merge, own.eval());
  }

  private <T> T sharedStage(Stubs a, String from, String stage, Function<CommittedStages, T> pick) {
    CommittedStages src = a.ledger.committedStages(from);
    T out = src == null ? null : pick.apply(src);
    if (out == null) {
      finalState = "failed";
      String msg = "run " + from + " has no committed " + stage + " to share";
      log.warn("run {} rejected: {}", runId, msg);
      throw ApplicationFailure.newNonRetryableFailure(msg, MISSING_SHARED_STAGES);
    }
    sharedStages.put(stage, from);
    return out;
  }

  private void executeStages(RunSpec spec, Stubs a, CommittedStages c, Results r) {
    int gpus = spec.compute().gpusPerNode() * spec.compute().nodes();
    boolean full = spec.tuning().isFull();

    // Only a prefix of committed stages is reused: once a stage is redone, everything after it
    // depends on new outputs and must be redone too.
    boolean reuseData = c.dataPrep() != null;
    boolean reuseAlign = reuseData && c.align() != null;
    boolean reuseTune = reuseAlign && c.tune() != null;
    boolean reuseMerge = reuseTune && (full || c.merge() != null);
    boolean reuseEval = reuseMerge && c.eval() != null;

    r.data =
        reuseData
            ? reused(StageNames.DATA_PREP, c.dataPrep(), LlavaPipelineImpl::dataDetail)
            : stage(
                StageNames.DATA_PREP,
                0,
                () -> a.dataPrep.prepare(runId, spec),
                LlavaPipelineImpl::dataDetail);
    if (stopsAfter(spec, StageNames.DATA_PREP)) {
      return;
    }

    r.align =
        reuseAlign
            ? reused(StageNames.ALIGN, c.align(), LlavaPipelineImpl::trainDetail)
            : stage(
                StageNames.ALIGN,
                gpus,
                () -> train(StageNames.ALIGN, new TrainRequest(runId, spec, r.data, ""), a.align::align,
                    a.alignRank::align),
                LlavaPipelineImpl::trainDetail);
    if (stopsAfter(spec, StageNames.ALIGN)) {
      return;
    }

    r.tune =
        reuseTune
            ? reused(StageNames.TUNE, c.tune(), LlavaPipelineImpl::trainDetail)
            : stage(
                StageNames.TUNE,
                gpus,
                () -> train(StageNames.TUNE, new TrainRequest(runId, spec, r.data, r.align.outputUri()),
                    a.tune::tune, a.tuneRank::tune),
                LlavaPipelineImpl::trainDetail);

    String modelUri;
    if (full) {
      r.merge = MergeResult.nothingToMerge(r.tune.outputUri());
      stages.put(StageNames.MERGE, new StageStatus(StageNames.MERGE, "skipped", 0, 0, 0, r.merge.reason()));
      log.info("run {} stage {} skipped: {}", runId, StageNames.MERGE, r.merge.reason());
      modelUri = r.tune.outputUri();
    } else {
      r.merge =
          reuseMerge
              ? reused(StageNames.MERGE, c.merge(), MergeResult::reason)
              : stage(
                  StageNames.MERGE,
                  0,
                  () -> a.merge.merge(new MergeRequest(runId, spec, r.align.outputUri(), r.tune)),
                  MergeResult::reason);
      if (r.merge.skipped()) {
        StageStatus s = stages.get(StageNames.MERGE);
        stages.put(
            StageNames.MERGE,
            new StageStatus(s.stage(), "skipped", s.seconds(), 0, 0, r.merge.reason()));
      }
      modelUri = r.merge.outputUri();
    }

    r.eval =
        reuseEval
            ? reused(StageNames.EVALUATE, c.eval(), LlavaPipelineImpl::evalDetail)
            : stage(
                StageNames.EVALUATE,
                gpus,
                () -> a.evaluate.evaluate(new EvalRequest(runId, spec, r.data, modelUri)),
                LlavaPipelineImpl::evalDetail);
  }

  /** spec.stopAfter: the stages after {@code done} are skipped (a study's shared run ends here). */
  private boolean stopsAfter(RunSpec spec, String done) {
    if (!spec.stopAfter().equals(done)) {
      return false;
    }
    String why = "stopAfter " + done + ": this run's output is shared by other runs";
    for (String s : StageNames.ALL.subList(StageNames.ALL.indexOf(done) + 1, StageNames.ALL.size())) {
      stages.put(s, new StageStatus(s, "skipped", 0, 0, 0, why));
    }
    log.info("run {} stops after stage {} (stopAfter)", runId, done);
    return true;
  }

  /** One activity on a single node; a gang of rank activities on several (see {@link GangStage}). */
  private TrainResult train(String name, TrainRequest request, Function<TrainRequest, TrainResult> single,
      Functions.Func1<TrainRequest, TrainResult> rank) {
    if (request.spec().compute().nodes() == 1) {
      return single.apply(request);
    }
    return gang.run(runId, name, request, TRAIN_ATTEMPTS, Set.of(DO_NOT_RETRY), req -> Async.function(rank, req),
        () -> step);
  }

  /** Runs one stage: waits out a pause, honours a cancel, times it, logs start and end. */
  private <T> T stage(String name, int gpus, Supplier<T> call, Function<T, String> detail) {
    gate(name);
    currentStage = name;
    step = 0;
    totalSteps = 0;
    loss = 0;
    etaSeconds = 0;
    lastCheckpoint = "";
    stageGpus = gpus;
    stageStartMillis = Workflow.currentTimeMillis();
    stages.put(name, new StageStatus(name, "running", 0, 0, 0, ""));
    Workflow.upsertTypedSearchAttributes(SearchAttributesKeys.STAGE.valueSet(name));
    log.info("run {} stage {} started", runId, name);

    T result = call.get(); // an ActivityFailure propagates; run() marks the stage failed

    double seconds = elapsedSeconds();
    double gh = gpuHours(seconds, gpus);
    gpuHoursDone += gh;
    stageStartMillis = -1;
    String d = detail.apply(result);
    stages.put(name, new StageStatus(name, "completed", seconds, gh, trainable(result), d));
    if (result instanceof TrainResult t) {
      step = t.steps();
      totalSteps = t.steps();
      loss = t.finalLoss();
      etaSeconds = 0;
      lastCheckpoint = t.lastCheckpoint() == null ? "" : t.lastCheckpoint();
    }
    log.info("run {} stage {} completed in {} s: {}", runId, name, Math.round(seconds), d);
    return result;
  }

  private <T> T reused(String name, T committed, Function<T, String> detail) {
    String from = sharedStages.getOrDefault(name, "");
    String how = from.isEmpty() ? "committed output reused" : "shared from run " + from;
    stages.put(name, new StageStatus(name, "reused", 0, 0, trainable(committed), how + ": " + detail.apply(committed)));
    log.info("run {} stage {} reused ({})", runId, name, how);
    return committed;
  }

  /** Between stages: hold while paused, stop if cancelled. */
  private void gate(String next) {
    if (paused && !cancelRequested) {
      log.info("run {} paused before stage {}", runId, next);
      Workflow.await(() -> !paused || cancelRequested);
      if (!cancelRequested) {
        log.info("run {} resumed before stage {}", runId, next);
      }
    }
    if (cancelRequested) {
      throw new RunCancelled();
    }
  }

  /** Thrown by {@link #gate} only; caught in {@link #run}. */
  private static final class RunCancelled extends RuntimeException {
    RunCancelled() {
      super(null, null, false, false);
    }
  }

  /** The failure a cancel signal ends the run with, after recording the partial report. */
  private ApplicationFailure cancelled(RunSpec spec, Stubs a, Results r) {
    finalState = "cancelled";
    String why = "cancelled: " + cancelReason;
    markOpenStages("cancelled", why);
    Workflow.upsertTypedSearchAttributes(SearchAttributesKeys.STAGE.valueSet("cancelled"));
    String uri = bestEffortReport(a, report(spec, r, ""));
    log.info("run {} cancelled ({}); committed stages stay for resume", runId, cancelReason);
    return ApplicationFailure.newNonRetryableFailure(
        "run " + runId + " " + why + (uri.isEmpty() ? "" : " (partial report " + uri + ")"),
        CANCELLED,
        report(spec, r, uri));
  }

  private void cancelledNatively(RunSpec spec, Stubs a, Results r) {
    finalState = "cancelled";
    markOpenStages("cancelled", "workflow cancel requested");
    // The run's own scope is cancelled: write the ledger from a detached scope.
    Workflow.newDetachedCancellationScope(
            () -> {
              Workflow.upsertTypedSearchAttributes(SearchAttributesKeys.STAGE.valueSet("cancelled"));
              bestEffortReport(a, report(spec, r, ""));
            })
        .run();
    log.info("run {} cancelled by a workflow cancel request", runId);
  }

  private void fail(RunSpec spec, Stubs a, Results r, TemporalFailure f) {
    finalState = "failed";
    String why = rootMessage(f);
    if (stageStartMillis >= 0 && !currentStage.isEmpty()) {
      double seconds = elapsedSeconds();
      double gh = gpuHours(seconds, stageGpus);
      gpuHoursDone += gh;
      stageStartMillis = -1;
      stages.put(currentStage, new StageStatus(currentStage, "failed", seconds, gh, 0, why));
    }
    log.warn("run {} stage {} failed: {}", runId, currentStage, why);
    Workflow.upsertTypedSearchAttributes(SearchAttributesKeys.STAGE.valueSet("failed"));
    bestEffortReport(a, report(spec, r, ""));
  }

  /** The report matters less than the failure it describes: never let it mask the cause. */
  private String bestEffortReport(Stubs a, PipelineReport report) {
    try {
      return a.ledger.writeReport(runId, report);
    } catch (ActivityFailure e) {
      log.warn("run {} could not write its report: {}", runId, rootMessage(e));
      return "";
    }
  }

  private void markOpenStages(String status, String detail) {
    for (String s : StageNames.ALL) {
      StageStatus st = stages.get(s);
      if (st.status().equals("pending") || st.status().equals("running")) {
        stages.put(s, new StageStatus(s, status, st.seconds(), st.gpuHours(), 0, detail));
      }
    }
  }

  private PipelineReport report(RunSpec spec, Results r, String uri) {
    return new PipelineReport(
        runId,
        spec,
        List.copyOf(stages.values()),
        r.data,
        r.align,
        r.tune,
        r.merge,
        r.eval,
        gpuHoursDone,
        uri);
  }

  // ---- signals and query ------------------------------------------------------------------------

  @Override
  public PipelineProgress progress() {
    double gh = gpuHoursDone;
    if (stageStartMillis >= 0) {
      gh += gpuHours(elapsedSeconds(), stageGpus);
    }
    return new PipelineProgress(
        runId,
        state(),
        currentStage,
        step,
        totalSteps,
        loss,
        etaSeconds,
        lastCheckpoint,
        gh,
        new ArrayList<>(stages.values()));
  }

  private String state() {
    if (!finalState.isEmpty()) {
      return finalState;
    }
    return paused ? "paused" : "running";
  }

  @Override
  public void pause() {
    if (finalState.isEmpty()) {
      paused = true;
    }
  }

  @Override
  public void resume() {
    paused = false;
  }

  @Override
  public void cancel(String reason) {
    if (finalState.isEmpty() && !cancelRequested) {
      cancelRequested = true;
      cancelReason = reason == null || reason.isBlank() ? "no reason given" : reason;
    }
  }

  @Override
  public void gangMaster(String rendezvousId, String address) {
    gang.masterReady(rendezvousId, address);
  }

  @Override
  public void reportProgress(StageProgress p) {
    if (p == null || !finalState.isEmpty() || stageStartMillis < 0) {
      return;
    }
    // A late signal from a finished stage must not overwrite the live one. "<stage>:<phase>"
    // (data prep reports "dataprep:validate" and so on) counts as the stage itself.
    String s = p.stage() == null ? "" : p.stage();
    if (!s.isEmpty() && !s.equals(currentStage) && !s.startsWith(currentStage + ":")) {
      return;
    }
    step = p.step();
    totalSteps = p.totalSteps();
    loss = p.loss();
    etaSeconds = p.etaSeconds();
    if (p.lastCheckpoint() != null && !p.lastCheckpoint().isEmpty()) {
      lastCheckpoint = p.lastCheckpoint();
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private double elapsedSeconds() {
    return Math.max(0, Workflow.currentTimeMillis() - stageStartMillis) / 1000.0;
  }

  private static double gpuHours(double seconds, int gpus) {
    return seconds * gpus / 3600.0;
  }

  /** Table 4's "trainable params" of a stage result (training stages only). */
  private static long trainable(Object result) {
    return result instanceof TrainResult t ? t.trainableParams() : 0;
  }

  /** The innermost cause, as "Type: message" for application failures. */
  public static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof ApplicationFailure af) {
      return af.getType() + ": " + af.getOriginalMessage();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  private static String dataDetail(PreparedData d) {
    return d.kept() + " of " + d.recordsIn() + " records kept, " + d.quarantined() + " quarantined"
        + (d.stage2TextOnly() > 0 ? ", " + d.stage2TextOnly() + " text-only stage-2 samples" : "");
  }

  private static String trainDetail(TrainResult t) {
    String s = t.steps() + " steps, final loss " + String.format(Locale.ROOT, "%.4f", t.finalLoss());
    if (t.resumedFromStep() > 0) {
      s += ", resumed from step " + t.resumedFromStep() + " (" + t.stepsRecomputed() + " steps recomputed)";
    }
    return s;
  }

  private static String evalDetail(EvalResult e) {
    StringBuilder s = new StringBuilder(e.questions() + " questions, exact match "
        + String.format(Locale.ROOT, "%.3f", e.exactMatch()));
    if (e.beams() > 1) {
      s.append(" (beam ").append(e.beams()).append(')');
    }
    if (e.mmbench() != null) {
      s.append(String.format(Locale.ROOT, ", mmbench %.3f", e.mmbench().accuracy()));
    }
    if (e.llavaBench() != null) {
      s.append(String.format(Locale.ROOT, ", llava-bench %.1f", e.llavaBench().relative()));
    }
    if (e.mmlu() != null) {
      s.append(String.format(Locale.ROOT, ", mmlu %.3f", e.mmlu().accuracy()));
    }
    return s.toString();
  }

  // ---- activity stubs ---------------------------------------------------------------------------

  private static RetryOptions retry(int attempts, Duration maxInterval) {
    return RetryOptions.newBuilder()
        .setInitialInterval(INITIAL_RETRY)
        .setBackoffCoefficient(BACKOFF)
        .setMaximumInterval(maxInterval)
        .setMaximumAttempts(attempts)
        .setDoNotRetry(DO_NOT_RETRY)
        .build();
  }

  /** Ledger reads and writes (llava-cpu); a scaling study writes its study.json with the same. */
  public static ActivityOptions ledgerOptions() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.CPU)
        .setStartToCloseTimeout(LEDGER_START_TO_CLOSE)
        .setRetryOptions(retry(LEDGER_ATTEMPTS, CPU_MAX_INTERVAL))
        .build();
  }

  /** Activity options for every stage; one place to read all timeouts. */
  static final class Stubs {
    final RunLedgerActivity ledger;
    final DataPrepActivity dataPrep;
    final AlignStageActivity align;
    final TuneStageActivity tune;
    final AlignStageActivity alignRank;
    final TuneStageActivity tuneRank;
    final MergeLoraActivity merge;
    final EvaluateActivity evaluate;

    Stubs(String pool) {
      String gpuQueue = TaskQueues.gpu(pool);
      ActivityOptions ledgerOpts = ledgerOptions();
      ActivityOptions dataOpts =
          ActivityOptions.newBuilder()
              .setTaskQueue(TaskQueues.CPU)
              .setStartToCloseTimeout(DATA_PREP_START_TO_CLOSE)
              .setHeartbeatTimeout(CPU_HEARTBEAT)
              .setRetryOptions(retry(DATA_PREP_ATTEMPTS, CPU_MAX_INTERVAL))
              .build();
      ActivityOptions trainOpts =
          ActivityOptions.newBuilder()
              .setTaskQueue(gpuQueue)
              .setStartToCloseTimeout(TRAIN_START_TO_CLOSE)
              .setHeartbeatTimeout(GPU_HEARTBEAT)
              .setRetryOptions(retry(TRAIN_ATTEMPTS, TRAIN_MAX_INTERVAL))
              .build();
      // A gang's rank is retried with its whole gang, never alone; a cancelled rank is waited for
      // so that rank 0's last checkpoint is uploaded before the next gang restores.
      ActivityOptions rankOpts =
          ActivityOptions.newBuilder(trainOpts)
              .setRetryOptions(retry(1, TRAIN_MAX_INTERVAL))
              .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
              .build();
      ActivityOptions mergeOpts =
          ActivityOptions.newBuilder()
              .setTaskQueue(TaskQueues.CPU)
              .setStartToCloseTimeout(MERGE_START_TO_CLOSE)
              .setHeartbeatTimeout(CPU_HEARTBEAT)
              .setRetryOptions(retry(MERGE_ATTEMPTS, CPU_MAX_INTERVAL))
              .build();
      ActivityOptions evalOpts =
          ActivityOptions.newBuilder()
              .setTaskQueue(gpuQueue)
              .setStartToCloseTimeout(EVAL_START_TO_CLOSE)
              .setHeartbeatTimeout(GPU_HEARTBEAT)
              .setRetryOptions(retry(EVAL_ATTEMPTS, TRAIN_MAX_INTERVAL))
              .build();
      ledger = Workflow.newActivityStub(RunLedgerActivity.class, ledgerOpts);
      dataPrep = Workflow.newActivityStub(DataPrepActivity.class, dataOpts);
      align = Workflow.newActivityStub(AlignStageActivity.class, trainOpts);
      tune = Workflow.newActivityStub(TuneStageActivity.class, trainOpts);
      alignRank = Workflow.newActivityStub(AlignStageActivity.class, rankOpts);
      tuneRank = Workflow.newActivityStub(TuneStageActivity.class, rankOpts);
      merge = Workflow.newActivityStub(MergeLoraActivity.class, mergeOpts);
      evaluate = Workflow.newActivityStub(EvaluateActivity.class, evalOpts);
    }
  }
}
