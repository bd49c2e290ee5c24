package io.llavascale.workers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.ledger.RunLedgerActivityImpl;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.StorePaths;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.workers.client.Runs;
import io.llavascale.workers.client.Stores;
import io.llavascale.workflows.pipeline.PipelineProgress;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.stages.CommittedStages;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Live progress of a run from Temporal; what S3 holds when Temporal no longer knows the run. */
@Command(name = "status", description = "Show a run's progress: stage, step / total, loss, ETA, last checkpoint, GPU-hours.")
final class StatusCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Mixin StackOptions stack;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Option(names = "--json", description = "Print the progress query's answer as JSON (for scripts).")
  boolean json;

  @Option(names = "--watch", description = "Keep printing until the run ends.")
  boolean watch;

  @Override
  public void run() {
    StackConfig config = stack.connect();
    Runs runs = new Runs(TemporalConnections.client(config));
    Optional<PipelineProgress> progress = runs.progress(runId);
    if (progress.isEmpty()) {
      fromStore(config);
      return;
    }
    String last = "";
    while (true) {
      PipelineProgress p = progress.orElseThrow();
      if (json) {
        System.out.println(toJson(p));
      } else {
        String line = ProgressFormat.line(p);
        if (!line.equals(last)) {
          System.out.println(line);
          last = line;
        }
      }
      if (!watch || !("running".equals(p.state()) || "paused".equals(p.state()))) {
        if (!json && !watch) {
          ProgressFormat.stages(System.out, p.stages());
        }
        return;
      }
      sleep();
      progress = runs.progress(runId);
      if (progress.isEmpty()) {
        return;
      }
    }
  }

  /** Temporal lost the run (ended long ago, or the dev server restarted): read the S3 ledger. */
  private void fromStore(StackConfig config) {
    ObjectStore store = Stores.open(config);
    String key = StorePaths.runRoot(runId) + RunLedgerActivityImpl.REPORT;
    Optional<PipelineReport> report = RunLedgerActivityImpl.readReport(store, runId);
    if (report.isPresent()) {
      System.out.println(runId + ": finished; report " + store.uri(key));
      if (json) {
        System.out.println(new String(store.getBytes(key), java.nio.charset.StandardCharsets.UTF_8));
      } else {
        ProgressFormat.stages(System.out, report.get().stages());
        ProgressFormat.table4(System.out, report.get());
      }
      return;
    }
    if (RunLedgerActivityImpl.readSpec(store, runId).isEmpty()) {
      throw new CliException("no run " + runId + " on Temporal or in s3://" + config.s3Bucket() + "/runs/");
    }
    CommittedStages committed = new RunLedgerActivityImpl(store).committedStages(runId);
    System.out.println(runId + ": not running on Temporal; committed in S3:"
        + (committed.dataPrep() != null ? " dataprep" : "")
        + (committed.align() != null ? " stage1" : "")
        + (committed.tune() != null ? " stage2" : "")
        + (committed.eval() != null ? " eval" : ""));
    System.out.println("  pick it up where it stopped: llava resume " + runId);
  }

  private static String toJson(PipelineProgress p) {
    try {
      return JSON.writeValueAsString(p);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }
}
