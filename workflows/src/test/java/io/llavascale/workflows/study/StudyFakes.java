package io.llavascale.workflows.study;

import io.llavascale.workflows.pipeline.PipelineReport;
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
import io.llavascale.workflows.stages.TrainRequest;
import io.llavascale.workflows.stages.TrainResult;
import io.llavascale.workflows.stages.TuneStageActivity;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stage doubles for studies: unlike the pipeline's FakeStages they keep a ledger per run (what each
 * stage returned is what committedStages gives back, as the S3 ledger does), so sharing and resume
 * behave as on the real stack. They count children in flight (RecordRunSpec to WriteRunReport),
 * fail one run's stage 2 on demand and can hold stage 1.
 */
final class StudyFakes {
  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<Object> requests = new CopyOnWriteArrayList<>();
  final List<StudyReport> studyReports = new CopyOnWriteArrayList<>();
  private final Map<String, CommittedStages> ledger = new ConcurrentHashMap<>();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  final AtomicInteger maxInFlight = new AtomicInteger();

  /** Run id whose AlignStage fails without retry ("" for none). */
  volatile String failAlignOf = "";
  /** Run id whose TuneStage fails without retry ("" for none). */
  volatile String failTuneOf = "";
  /** When set, AlignStage waits for it (after counting down alignStarted). */
  volatile CountDownLatch alignGate;
  final CountDownLatch alignStarted = new CountDownLatch(1);

  long count(String activity) {
    return calls.stream().filter(c -> c.startsWith(activity + " ")).count();
  }

  static String out(String runId, String stage) {
    return "s3://llava-runs/runs/" + runId + "/" + stage + "/output/";
  }

  private synchronized void commit(String runId, java.util.function.UnaryOperator<CommittedStages> change) {
    ledger.put(runId, change.apply(ledger.getOrDefault(runId, CommittedStages.none())));
  }

  private static TrainResult train(String runId, String stage) {
    return new TrainResult(stage, out(runId, stage), 10, 1.5, 0, 0, 4096, 1.0, out(runId, stage) + "ckpt/");
  }

  final class Cpu implements DataPrepActivity, MergeLoraActivity, RunLedgerActivity, StudyLedgerActivity {
    @Override
    public PreparedData prepare(String runId, RunSpec spec) {
      calls.add("DataPrep " + runId);
      PreparedData d = new PreparedData(out(runId, "dataprep"), 100, 98, 2, "", 512, 40, 50, 8, 0);
      commit(runId, c -> new CommittedStages(d, c.align(), c.tune(), c.merge(), c.eval()));
      return d;
    }

    @Override
    public MergeResult merge(MergeRequest request) {
      calls.add("MergeLora " + request.runId());
      requests.add(request);
      MergeResult m = new MergeResult(false, "merged", out(request.runId(), "merge"), 1.0, "whole-model", 1e-6);
      commit(request.runId(), c -> new CommittedStages(c.dataPrep(), c.align(), c.tune(), m, c.eval()));
      return m;
    }

    @Override
    public void recordSpec(String runId, RunSpec spec) {
      calls.add("RecordRunSpec " + runId);
      inFlight.add(runId);
      maxInFlight.accumulateAndGet(inFlight.size(), Math::max);
    }

    @Override
    public CommittedStages committedStages(String runId) {
      return ledger.getOrDefault(runId, CommittedStages.none());
    }

    @Override
    public String writeReport(String runId, PipelineReport report) {
      calls.add("WriteRunReport " + runId);
      inFlight.remove(runId);
      return "s3://llava-runs/runs/" + runId + "/report.json";
    }

    @Override
    public String writeStudyReport(StudyReport report) {
      calls.add("WriteStudyReport " + report.studyId());
      studyReports.add(report);
      return "s3://llava-runs/studies/" + report.studyId() + "/study.json";
    }
  }

  final class Gpu implements AlignStageActivity, TuneStageActivity, EvaluateActivity {
    @Override
    public TrainResult align(TrainRequest request) {
      calls.add("AlignStage " + request.runId());
      requests.add(request);
      if (request.runId().equals(failAlignOf)) {
        throw ApplicationFailure.newNonRetryableFailure("out of memory", "OutOfMemory");
      }
      CountDownLatch gate = alignGate;
      if (gate != null) {
        alignStarted.countDown();
        try {
          if (!gate.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("test never released AlignStage");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      TrainResult t = train(request.runId(), "stage1");
      commit(request.runId(), c -> new CommittedStages(c.dataPrep(), t, c.tune(), c.merge(), c.eval()));
      return t;
    }

    @Override
    public TrainResult tune(TrainRequest request) {
      calls.add("TuneStage " + request.runId());
      requests.add(request);
      if (request.runId().equals(failTuneOf)) {
        throw ApplicationFailure.newNonRetryableFailure("loss diverged at step 3", "TrainingDiverged");
      }
      TrainResult t = train(request.runId(), "stage2");
      commit(request.runId(), c -> new CommittedStages(c.dataPrep(), c.align(), t, c.merge(), c.eval()));
      return t;
    }

    @Override
    public EvalResult evaluate(EvalRequest request) {
      calls.add("Evaluate " + request.runId());
      requests.add(request);
      EvalResult e = new EvalResult(out(request.runId(), "eval"), out(request.runId(), "eval") + "answers.jsonl", 8,
          0.625, Map.of("conv", 0.5), 1.0, request.spec().eval().beams(), null, null, null);
      commit(request.runId(), c -> new CommittedStages(c.dataPrep(), c.align(), c.tune(), c.merge(), e));
      return e;
    }
  }
}
