package io.llavascale.workflows.stages;

import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.spec.RunSpec;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The run's ledger in S3 (llava-cpu): what makes a run survive the loss of the Temporal server.
 */
@ActivityInterface
public interface RunLedgerActivity {
  /** Writes runs/&lt;runId&gt;/spec.json so `llava resume` can restart the run from S3 alone. */
  @ActivityMethod(name = "RecordRunSpec")
  void recordSpec(String runId, RunSpec spec);

  /** Reads which stages of the run have a verified output MANIFEST.json. */
  @ActivityMethod(name = "ReadCommittedStages")
  CommittedStages committedStages(String runId);

  /** Writes runs/&lt;runId&gt;/report.json and returns its s3 URI. */
  @ActivityMethod(name = "WriteRunReport")
  String writeReport(String runId, PipelineReport report);
}
