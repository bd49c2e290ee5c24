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
import io.llavascale.workflows.stages.TrainRequest;
import io.llavascale.workflows.stages.TrainResult;
import io.llavascale.workflows.stages.TuneStageActivity;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Test doubles for every stage, split by the task queue each must be served on, so a stage sent to
 * the wrong queue never runs. They record calls ("queue/Activity attempt"), attempt times and
 * requests, and can fail or block on demand.
 */
final class FakeStages {
  final List<String> calls = new CopyOnWriteArrayList<>();
  final Map<String, List<Long>> attemptTimes = new ConcurrentHashMap<>();
  final List<Object> requests = new CopyOnWriteArrayList<>();
  final List<PipelineReport> reports = new CopyOnWriteArrayList<>();
  final List<String> ledgerRunIds = new CopyOnWriteArrayList<>();

  volatile CommittedStages committed = CommittedStages.none();
  /** Retryable failures AlignStage throws before it succeeds. */
  final AtomicInteger alignFailures = new AtomicInteger();
  /** When set, DataPrep fails with this type. */
  volatile String dataPrepFailureType;
  /** When set, AlignStage waits for it (and counts down alignStarted first). */
  volatile CountDownLatch alignGate;
  final CountDownLatch alignStarted = new CountDownLatch(1);

  private final LongSupplier clock;
  /** Rank 1 of a TuneStage gang fails this many times. */
  final AtomicInteger rank1Failures = new AtomicInteger();
  /** Rank 0 of a gang ends only once rank 1 has started, as a real trainer waits for its peers. */
  private final Map<String, CountDownLatch> rank1Started = new ConcurrentHashMap<>();

  FakeStages(LongSupplier clock) {
    this.clock = clock;
  }

  long count(String activity) {
    return calls.stream().filter(c -> c.contains("/" + activity + " ")).count();
  }

  private int record(String activity) {
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    calls.add(info.getActivityTaskQueue() + "/" + activity + " " + info.getAttempt());
    attemptTimes.computeIfAbsent(activity, k -> new CopyOnWriteArrayList<>()).add(clock.getAsLong());
    return info.getAttempt();
  }

  static String out(String runId, String stage) {
    return "s3://llava-runs/runs/" + runId + "/" + stage + "/output/";
  }

  static PreparedData data(String runId) {
    return new PreparedData(
        out(runId, "dataprep"), 100, 98, 2, out(runId, "dataprep") + "report.json", 512, 40, 50, 8, 0);
  }

  static TrainResult train(String runId, String stage) {
    return new TrainResult(
        stage, out(runId, stage), 120, 1.25, 0, 0, 4096, 3.0,
        "s3://llava-runs/runs/" + runId + "/" + stage + "/ckpt/step-00000100/");
  }

  final class Cpu implements DataPrepActivity, MergeLoraActivity, RunLedgerActivity {
    @Override
    public PreparedData prepare(String runId, RunSpec spec) {
      record("DataPrep");
      requests.add(spec);
      if (dataPrepFailureType != null) {
        throw ApplicationFailure.newFailure(
            "12% of stage2 records are malformed (limit 5%)", dataPrepFailureType);
      }
      return data(runId);
    }

    @Override
    public MergeResult merge(MergeRequest request) {
      record("MergeLora");
      requests.add(request);
      return new MergeResult(false, "merged rank-8 adapters", out(request.runId(), "merge"), 1.0, "whole-model",
          2e-6);
    }

    @Override
    public void recordSpec(String runId, RunSpec spec) {
      record("RecordRunSpec");
      ledgerRunIds.add(runId);
    }

    @Override
    public CommittedStages committedStages(String runId) {
      record("ReadCommittedStages");
      ledgerRunIds.add(runId);
      return committed;
    }

    @Override
    public String writeReport(String runId, PipelineReport report) {
      record("WriteRunReport");
      reports.add(report);
      return "s3://llava-runs/runs/" + runId + "/report.json";
    }
  }

  final class Gpu implements AlignStageActivity, TuneStageActivity, EvaluateActivity {
    @Override
    public TrainResult align(TrainRequest request) {
      int attempt = record("AlignStage");
      requests.add(request);
      if (alignFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw ApplicationFailure.newFailure("spot instance preempted (attempt " + attempt + ")", "Preempted");
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
      return train(request.runId(), "stage1");
    }

    private CountDownLatch peers(TrainRequest request) {
      return rank1Started.computeIfAbsent(request.gang().rendezvousId(), k -> new CountDownLatch(1));
    }

    @Override
    public TrainResult tune(TrainRequest request) {
      record("TuneStage");
      requests.add(request);
      if (request.gang() != null && request.gang().rank() == 0) {
        Activity.getExecutionContext().getWorkflowClient()
            .newWorkflowStub(LlavaPipeline.class, Activity.getExecutionContext().getInfo().getWorkflowId())
            .gangMaster(request.gang().rendezvousId(), "10.0.0.1:29500");
        try {
          if (!peers(request).await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("rank 1 never started");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      if (request.gang() != null && request.gang().rank() == 1) {
        peers(request).countDown();
      }
      if (request.gang() != null && request.gang().rank() == 1 && rank1Failures.getAndDecrement() > 0) {
        throw ApplicationFailure.newFailure("rank 1 lost its node", "TrainerFailed", 30L, 0L);
      }
      return train(request.runId(), "stage2");
    }

    @Override
    public EvalResult evaluate(EvalRequest request) {
      record("Evaluate");
      requests.add(request);
      return new EvalResult(
          out(request.runId(), "eval"), out(request.runId(), "eval") + "answers.jsonl", 8, 0.625,
          Map.of("conv", 0.5, "detail", 0.75), 2.0, request.spec().eval().beams(), null, null, null);
    }
  }
}
