package io.llavascale.workers.cli;

import io.llavascale.activities.ledger.RunLedgerActivityImpl;
import io.llavascale.activities.store.S3ObjectStore;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.workers.client.Runs;
import io.llavascale.workers.client.Stores;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Starts a run again from S3 alone: its recorded spec with {@code resumeFrom} set, under the same
 * run id. Committed stages are reused, a half-done training stage continues from its newest
 * committed checkpoint. Works after the Temporal server lost the run entirely.
 */
@Command(name = "resume", description = "Resume a failed, cancelled or lost run from its committed stages and checkpoints in S3.")
final class ResumeCommand implements Runnable {
  @Mixin StackOptions stack;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Override
  public void run() {
    StackConfig config = stack.connect();
    S3ObjectStore store = Stores.open(config);
    Map<String, Object> spec = RunLedgerActivityImpl.readSpec(store, runId)
        .orElseThrow(() -> new CliException("run " + runId + " has no spec.json in s3://" + config.s3Bucket()
            + "/runs/" + runId + "/; it never started, or it lives in another bucket"));
    spec.put("resumeFrom", runId);
    try {
      new Runs(TemporalConnections.client(config)).start(runId, spec);
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new CliException("run " + runId + " is still running; nothing to resume (`llava status " + runId + "`)");
    }
    System.out.println("resumed run " + runId + " (committed stages are reused, training continues from its newest checkpoint)");
    System.out.println("  progress: llava status " + runId + " --watch");
  }
}
