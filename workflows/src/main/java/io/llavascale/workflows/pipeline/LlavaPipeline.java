package io.llavascale.workflows.pipeline;

import io.llavascale.workflows.stages.StageProgress;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.Map;

/**
 * The paper's two-stage recipe as one durable run: DataPrep, AlignStage, TuneStage, MergeLora,
 * Evaluate. Its input is a plain JSON object (a preset name plus overrides, or a whole spec), so
 * {@code temporal workflow start --type LlavaPipeline --task-queue llava-control --input '{...}'}
 * works as well as our CLI.
 */
@WorkflowInterface
public interface LlavaPipeline {
  String WORKFLOW_TYPE = "LlavaPipeline";

  @WorkflowMethod(name = WORKFLOW_TYPE)
  PipelineReport run(Map<String, Object> spec);

  /** Stage, step / total, loss, ETA, last checkpoint, GPU-hours so far. */
  @QueryMethod(name = "progress")
  PipelineProgress progress();

  /** Holds the run before its next stage starts; the running stage finishes. */
  @SignalMethod(name = "pause")
  void pause();

  /** Lets a paused run go on. */
  @SignalMethod(name = "resume")
  void resume();

  /** Stops the run before its next stage; committed outputs stay in S3 for `llava resume`. */
  @SignalMethod(name = "cancel")
  void cancel(String reason);

  /** Sent by training and evaluation activities (throttled) so the progress query is live. */
  @SignalMethod(name = "reportProgress")
  void reportProgress(StageProgress progress);

  /**
   * Sent by rank 0 of a multi-node stage once it knows where it listens ({@code host:port}); the
   * pipeline then starts the other ranks with that address. A signal for an older rendezvous is
   * ignored.
   */
  @SignalMethod(name = "gangMaster")
  void gangMaster(String rendezvousId, String address);
}
