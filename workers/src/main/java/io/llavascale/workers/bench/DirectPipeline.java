package io.llavascale.workers.bench;

import io.llavascale.activities.dataprep.DataPrepper;
import io.llavascale.activities.evaluate.Evaluator;
import io.llavascale.activities.evaluate.judge.JudgeFactory;
import io.llavascale.activities.ledger.RunLedgerActivityImpl;
import io.llavascale.activities.merge.LoraMerger;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.activities.train.StageTrainer;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.pipeline.StageStatus;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.stages.EvalRequest;
import io.llavascale.workflows.stages.EvalResult;
import io.llavascale.workflows.stages.MergeRequest;
import io.llavascale.workflows.stages.MergeResult;
import io.llavascale.workflows.stages.PreparedData;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.StageProgress;
import io.llavascale.workflows.stages.TrainRequest;
import io.llavascale.workflows.stages.TrainResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pipeline's work done by calling the stage runners directly in this JVM: the same store calls
 * LlavaPipeline's activities make (ledger spec, committed-stage check, DataPrep, AlignStage,
 * TuneStage, MergeLora for LoRA / QLoRA, Evaluate of the merged or tuned model, report), in the
 * same order, with no Temporal in between. Its wall time is the baseline the orchestrated run is
 * compared with.
 */
public final class DirectPipeline {
  /** What a direct run did: per-stage seconds, the stages' contexts, the report it wrote. */
  public record Outcome(
      double seconds,
      Map<String, Double> stageSeconds,
      Map<String, InJvmStageContext> contexts,
      PipelineReport report) {}

  private final ObjectStore store;
  private final Path scratch;

  /** @param scratch local working folder, as the workers' {@code scratch} */
  public DirectPipeline(ObjectStore store, Path scratch) {
    this.store = store;
    this.scratch = scratch;
  }

  public Outcome run(String runId, RunSpec spec) throws IOException {
    RunLedgerActivityImpl ledger = new RunLedgerActivityImpl(store);
    StageTrainer trainer = new StageTrainer(store, scratch);
    Evaluator evaluator = new Evaluator(store, scratch, new JudgeFactory(store));
    Map<String, Double> seconds = new LinkedHashMap<>();
    Map<String, InJvmStageContext> contexts = new LinkedHashMap<>();
    List<StageStatus> stages = new ArrayList<>();

    long started = System.nanoTime();
    ledger.recordSpec(runId, spec);
    ledger.committedStages(runId); // the pipeline always asks; a fresh run id finds nothing

    InJvmStageContext prepContext = context(contexts, runId, StageNames.DATA_PREP);
    long t = System.nanoTime();
    PreparedData data = prepare(runId, spec, prepContext);
    stages.add(done(seconds, StageNames.DATA_PREP, t, 0));

    t = System.nanoTime();
    TrainResult align = trainer.train(new TrainRequest(runId, spec, data, ""), TrainerConfig.Stage.ALIGN,
        context(contexts, runId, StageNames.ALIGN));
    stages.add(done(seconds, StageNames.ALIGN, t, align.trainableParams()));

    t = System.nanoTime();
    TrainResult tune = trainer.train(new TrainRequest(runId, spec, data, align.outputUri()), TrainerConfig.Stage.TUNE,
        context(contexts, runId, StageNames.TUNE));
    stages.add(done(seconds, StageNames.TUNE, t, tune.trainableParams()));

    MergeResult merge;
    if (spec.tuning().isFull()) {
      merge = MergeResult.nothingToMerge(tune.outputUri());
      stages.add(new StageStatus(StageNames.MERGE, "skipped", 0, 0, 0, merge.reason()));
    } else {
      t = System.nanoTime();
      merge = new LoraMerger(store, scratch).merge(new MergeRequest(runId, spec, align.outputUri(), tune),
          context(contexts, runId, StageNames.MERGE));
      stages.add(done(seconds, StageNames.MERGE, t, 0));
    }

    t = System.nanoTime();
    EvalResult eval = evaluator.evaluate(new EvalRequest(runId, spec, data, merge.outputUri()),
        context(contexts, runId, StageNames.EVALUATE));
    stages.add(done(seconds, StageNames.EVALUATE, t, 0));

    PipelineReport report = new PipelineReport(runId, spec, stages, data, align, tune, merge, eval, 0, "");
    String uri = ledger.writeReport(runId, report);
    double total = (System.nanoTime() - started) / 1e9;
    return new Outcome(total, seconds, contexts,
        new PipelineReport(runId, spec, stages, data, align, tune, merge, eval, 0, uri));
  }

  /** What DataPrepActivityImpl does, with this JVM's context instead of the activity's. */
  private PreparedData prepare(String runId, RunSpec spec, InJvmStageContext context) {
    StageOutputs outputs = StageOutputs.forStage(store, runId, StageNames.DATA_PREP);
    Optional<PreparedData> committed = outputs.readCommitted(PreparedData.class);
    if (committed.isPresent()) {
      return committed.get();
    }
    DataPrepper.Result result = new DataPrepper(store).prepare(runId, spec, (phase, done, total) ->
        context.progress(new StageProgress(StageNames.DATA_PREP + ":" + phase, done, Math.max(total, 0), 0, 0, 0, 0, ""), 0));
    outputs.commitUploaded(result.writtenKeys(), result.data());
    return result.data();
  }

  private static InJvmStageContext context(Map<String, InJvmStageContext> contexts, String runId, String stage) {
    InJvmStageContext context = new InJvmStageContext(runId, stage);
    contexts.put(stage, context);
    return context;
  }

  private static StageStatus done(Map<String, Double> seconds, String stage, long startNanos,
      long trainable) {
    double s = (System.nanoTime() - startNanos) / 1e9;
    seconds.put(stage, s);
    return new StageStatus(stage, "completed", s, 0, trainable, "");
  }
}
