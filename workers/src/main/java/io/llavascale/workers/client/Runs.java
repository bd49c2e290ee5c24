package io.llavascale.workers.client;

import io.llavascale.workflows.pipeline.LlavaPipeline;
import io.llavascale.workflows.pipeline.PipelineProgress;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.stages.TaskQueues;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;

/** Client-side operations on pipeline runs, shared by every CLI command. */
public final class Runs {
  private final WorkflowClient client;

  public Runs(WorkflowClient client) {
    this.client = client;
  }

  /** Starts a run; its id is the workflow id and the S3 prefix runs/&lt;runId&gt;/. */
  public WorkflowExecution start(String runId, Map<String, Object> spec) {
    LlavaPipeline pipeline = client.newWorkflowStub(LlavaPipeline.class,
        WorkflowOptions.newBuilder().setWorkflowId(runId).setTaskQueue(TaskQueues.CONTROL).build());
    return WorkflowClient.start(pipeline::run, spec);
  }

  public LlavaPipeline handle(String runId) {
    return client.newWorkflowStub(LlavaPipeline.class, runId);
  }

  /** The live progress, or empty when Temporal does not know the run (or it cannot answer). */
  public Optional<PipelineProgress> progress(String runId) {
    try {
      return Optional.of(handle(runId).progress());
    } catch (io.temporal.client.WorkflowNotFoundException | io.temporal.client.WorkflowServiceException e) {
      return Optional.empty();
    }
  }

  /** A run id like {@code <base>-20261126-150102}. */
  public static String newRunId(String base) {
    return base + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
  }

  /** The innermost cause's message: what actually failed inside a workflow or activity failure. */
  public static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  /** Blocks until the run ends; throws the run's failure. */
  public PipelineReport await(String runId) {
    return WorkflowStub.fromTyped(handle(runId)).getResult(PipelineReport.class);
  }
}
