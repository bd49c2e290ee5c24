package io.llavascale.workers.bench;

import io.llavascale.activities.lifecycle.StageContext;
import io.llavascale.activities.lifecycle.TrainingHeartbeat;
import io.llavascale.workflows.stages.StageProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A stage context for running a stage directly in this JVM, with no Temporal: it records every
 * progress report with the time it arrived, never asks the stage to stop, and has no previous
 * attempt. The benchmark reads the recorded steps to compute training throughput.
 */
public final class InJvmStageContext implements StageContext {
  /** One progress report and when it arrived ({@link System#nanoTime()}). */
  public record Report(long nanos, StageProgress progress) {}

  private final String runId;
  private final String stage;
  private final List<Report> reports = new ArrayList<>();

  public InJvmStageContext(String runId, String stage) {
    this.runId = runId;
    this.stage = stage;
  }

  @Override
  public synchronized void progress(StageProgress progress, long stepsRecomputed) {
    reports.add(new Report(System.nanoTime(), progress));
  }

  @Override
  public Optional<TrainingHeartbeat> previousAttempt() {
    return Optional.empty();
  }

  @Override
  public boolean stopRequested() {
    return false;
  }

  @Override
  public String label() {
    return "run=" + runId + " stage=" + stage + " attempt=1 (in-JVM)";
  }

  /** Every report so far, oldest first. */
  public synchronized List<Report> reports() {
    return List.copyOf(reports);
  }
}
