package io.llavascale.workflows.study;

import io.llavascale.workflows.pipeline.LlavaPipeline;
import io.llavascale.workflows.pipeline.LlavaPipelineImpl;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.pipeline.RunIds;
import io.llavascale.workflows.stages.TaskQueues;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.unsafe.WorkflowUnsafe;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Runs a study's children as they become ready: a child starts once the run it takes data prep
 * and stage 1 from has completed and its pool has a free slot (maxConcurrent). A failed child
 * fails only the cells that depend on it; the study always completes with every cell reported.
 * Deterministic: the plan is resolved once and recorded, children finish through promise
 * callbacks on the workflow thread, and all I/O is the ledger activity at the end.
 *
 * <p>Resume: child ids are {@code <studyId>-<run>}, and a pipeline reads its own committed stages
 * from the ledger on start, so starting the study again under the same id redoes only what never
 * committed.
 */
public class ScalingStudyImpl implements ScalingStudy {
  private final Logger log = Workflow.getLogger(ScalingStudyImpl.class);

  private String studyId = "";
  private String name = "";
  private String state = "running";
  private final Map<String, StudyRunState> runs = new LinkedHashMap<>();
  private final Map<String, PipelineReport> reports = new LinkedHashMap<>();
  private final Map<String, Integer> running = new LinkedHashMap<>(); // pool -> children running
  private int finished; // bumped by every child that ends, to wake the scheduler

  @Override
  public StudyReport run(Map<String, Object> input) {
    // A cron firing gets its own id, so it does not reuse the last firing's cells.
    studyId = RunIds.current();
    // Resolved once and recorded; presets may be read from the classpath on first use.
    ResolvedStudy resolved =
        Workflow.sideEffect(
            ResolvedStudy.class,
            () -> WorkflowUnsafe.deadlockDetectorOff(() -> ResolvedStudy.of(input)));
    if (!resolved.valid()) {
      state = "failed";
      String msg = "invalid study spec:\n  - " + String.join("\n  - ", resolved.errors());
      log.warn("study {} rejected: {}", studyId, msg);
      throw ApplicationFailure.newNonRetryableFailure(msg, LlavaPipelineImpl.INVALID_SPEC, resolved.errors());
    }
    StudyPlan plan = resolved.plan();
    name = plan.name();
    for (StudyPlan.Run r : plan.runs()) {
      runs.put(r.name(), state(r, "pending", "", null));
    }
    log.info("study {} started: {} children ({} cells)", studyId, plan.runs().size(),
        plan.runs().stream().filter(r -> r.kind().equals(StudyPlan.CELL)).count());

    while (true) {
      int open = 0;
      for (StudyPlan.Run r : plan.runs()) {
        String status = runs.get(r.name()).status();
        if (status.equals("pending")) {
          open++;
          schedule(r, plan);
        } else if (status.equals("running")) {
          open++;
        }
      }
      if (open == 0) {
        break;
      }
      int seen = finished;
      Workflow.await(() -> finished != seen);
    }

    StudyReport report = report(plan, "");
    String uri = Workflow.newActivityStub(StudyLedgerActivity.class, LlavaPipelineImpl.ledgerOptions())
        .writeStudyReport(report);
    state = "completed";
    long failed = report.cells().stream().filter(c -> c.status().equals("failed")).count();
    log.info("study {} completed: {} cells, {} failed, {} GPU-hours; report {}", studyId, report.cells().size(),
        failed, String.format(java.util.Locale.ROOT, "%.4f", report.gpuHours()), uri);
    return report(plan, uri);
  }

  /** Starts a pending child if what it depends on completed and its pool has room. */
  private void schedule(StudyPlan.Run r, StudyPlan plan) {
    for (String dep : r.dependsOn()) {
      StudyRunState d = runs.get(dep);
      if (d.status().equals("failed")) {
        String why = "shared run " + d.runId() + " failed: " + d.error();
        runs.put(r.name(), state(r, "failed", why, null));
        log.warn("study {} run {} failed before it started: {}", studyId, r.name(), why);
        finished++;
        return;
      }
      if (!d.status().equals("completed")) {
        return;
      }
    }
    int busy = running.getOrDefault(r.pool(), 0);
    if (busy >= plan.maxConcurrent().get(r.pool())) {
      return;
    }
    running.put(r.pool(), busy + 1);
    String childId = childId(r.name());
    Map<String, Object> spec = new LinkedHashMap<>(r.spec());
    if (!r.dataFrom().isEmpty()) {
      spec.put("dataFrom", childId(r.dataFrom()));
    }
    if (!r.stage1From().isEmpty()) {
      spec.put("stage1From", childId(r.stage1From()));
    }
    if (!r.stage2From().isEmpty()) {
      spec.put("stage2From", childId(r.stage2From()));
    }
    LlavaPipeline child =
        Workflow.newChildWorkflowStub(
            LlavaPipeline.class,
            ChildWorkflowOptions.newBuilder().setWorkflowId(childId).setTaskQueue(TaskQueues.CONTROL).build());
    runs.put(r.name(), state(r, "running", "", null));
    log.info("study {} run {} started as {}", studyId, r.name(), childId);
    Promise<PipelineReport> result = Async.function(child::run, spec);
    result.handle(
        (report, failure) -> {
          running.put(r.pool(), running.get(r.pool()) - 1);
          if (failure == null) {
            reports.put(r.name(), report);
            runs.put(r.name(), state(r, "completed", "", report));
            log.info("study {} run {} completed", studyId, r.name());
          } else {
            String why = LlavaPipelineImpl.rootMessage(failure);
            runs.put(r.name(), state(r, "failed", why, null));
            log.warn("study {} run {} failed: {}", studyId, r.name(), why);
          }
          finished++;
          return null;
        });
  }

  private String childId(String run) {
    return studyId + "-" + run;
  }

  private StudyRunState state(StudyPlan.Run r, String status, String error, PipelineReport report) {
    double em = report != null && report.eval() != null ? report.eval().exactMatch() : 0;
    return new StudyRunState(r.name(), r.kind(), childId(r.name()), status, r.modelSize(), r.resolution(),
        r.mixRatio(), r.tuning(), r.beams(), error, em, report == null ? 0 : report.gpuHours());
  }

  private StudyReport report(StudyPlan plan, String uri) {
    List<StudyCellResult> cells = new ArrayList<>();
    double gpuHours = 0;
    for (StudyPlan.Run r : plan.runs()) {
      PipelineReport report = reports.get(r.name());
      if (report != null) {
        gpuHours += report.gpuHours();
      }
      if (r.kind().equals(StudyPlan.CELL)) {
        StudyRunState s = runs.get(r.name());
        cells.add(new StudyCellResult(r.name(), s.runId(), s.status(), r.modelSize(), r.resolution(), r.tuning(),
            r.mixRatio(), r.beams(), s.error(), report));
      }
    }
    return new StudyReport(studyId, plan.name(), cells, gpuHours, uri);
  }

  @Override
  public StudyProgress progress() {
    return new StudyProgress(studyId, name, state, new ArrayList<>(runs.values()));
  }
}
