package io.llavascale.workflows.pipeline;

import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The storage run id (the S3 prefix {@code runs/<runId>/}) of a workflow execution.
 *
 * <p>It is the workflow id. Temporal Schedules already give every firing its own workflow id (the
 * schedule id plus the firing's timestamp), but every firing of a cron workflow shares ONE workflow
 * id: without a suffix the second firing would find the first one's committed stages in the ledger
 * and skip them. Cron firings therefore get the firing time appended, in the same
 * {@code yyyyMMdd-HHmmss} form as the CLI's default run ids; cron firings are at least a minute
 * apart, so the suffix is unique per firing.
 */
public final class RunIds {
  private static final DateTimeFormatter FIRING =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private RunIds() {}

  /** For the running workflow; call it from workflow code (the time is the workflow's clock). */
  public static String current() {
    WorkflowInfo info = Workflow.getInfo();
    return of(info.getWorkflowId(), info.getCronSchedule(), Workflow.currentTimeMillis());
  }

  static String of(String workflowId, String cronSchedule, long firingMillis) {
    if (cronSchedule == null || cronSchedule.isEmpty()) {
      return workflowId;
    }
    return workflowId + "-" + FIRING.format(Instant.ofEpochMilli(firingMillis));
  }
}
