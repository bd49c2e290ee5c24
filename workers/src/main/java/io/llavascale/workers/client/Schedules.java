package io.llavascale.workers.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.llavascale.workflows.pipeline.LlavaPipeline;
import io.llavascale.workflows.stages.TaskQueues;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleState;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Recurring pipeline or study runs: Temporal Schedules where the server has them, cron workflows
 * where it does not (the embedded dev server). Every firing is its own run with its own run id:
 * a Schedule names each workflow {@code <scheduleId>-<firing time>}; cron firings share one
 * workflow id and the workflow appends the firing time itself ({@code RunIds}).
 */
public final class Schedules {
  /** The study workflow's type name; its input, like the pipeline's, is one JSON object. */
  public static final String STUDY_TYPE = "ScalingStudy";

  /** The pipeline's workflow type, for plans built from run specs. */
  public static final String PIPELINE_TYPE = LlavaPipeline.WORKFLOW_TYPE;

  /** Overlap policies by their CLI names. */
  public static final List<String> OVERLAP_NAMES =
      List.of("skip", "buffer-one", "buffer-all", "cancel-other", "terminate-other", "allow-all");

  /**
   * What to start and when. Exactly one of {@code cron} (a cron expression) and {@code every} (an
   * interval) is set; {@code overlap} and {@code catchupWindow} are Schedule policies.
   */
  public record Plan(
      String id,
      String workflowType,
      Map<String, Object> input,
      String cron,
      Duration every,
      ScheduleOverlapPolicy overlap,
      Duration catchupWindow,
      boolean paused,
      String note) {
    public Plan {
      if ((cron == null) == (every == null)) {
        throw new IllegalArgumentException("give exactly one of --cron EXPR and --every DURATION");
      }
      if (every != null && (every.isNegative() || every.isZero())) {
        throw new IllegalArgumentException("--every must be a positive duration, for example PT24H");
      }
    }
  }

  private final WorkflowClient client;
  private final ScheduleClient schedules;

  public Schedules(WorkflowClient client) {
    this.client = client;
    this.schedules =
        ScheduleClient.newInstance(
            client.getWorkflowServiceStubs(),
            ScheduleClientOptions.newBuilder()
                .setNamespace(client.getOptions().getNamespace())
                .setDataConverter(client.getOptions().getDataConverter())
                .build());
  }

  /** Creates a Temporal Schedule whose action starts {@code plan.workflowType()} on the control queue. */
  public ScheduleHandle create(Plan plan) {
    ScheduleSpec.Builder spec = ScheduleSpec.newBuilder();
    if (plan.cron() != null) {
      spec.setCronExpressions(List.of(plan.cron()));
    } else {
      spec.setIntervals(List.of(new ScheduleIntervalSpec(plan.every())));
    }
    Schedule schedule =
        Schedule.newBuilder()
            .setAction(
                ScheduleActionStartWorkflow.newBuilder()
                    .setWorkflowType(plan.workflowType())
                    .setArguments(plan.input())
                    .setOptions(
                        WorkflowOptions.newBuilder()
                            .setWorkflowId(plan.id()) // the server appends each firing's time
                            .setTaskQueue(TaskQueues.CONTROL)
                            .build())
                    .build())
            .setSpec(spec.build())
            .setPolicy(
                SchedulePolicy.newBuilder()
                    .setOverlap(plan.overlap())
                    .setCatchupWindow(plan.catchupWindow())
                    .build())
            .setState(ScheduleState.newBuilder().setPaused(plan.paused()).setNote(plan.note()).build())
            .build();
    return schedules.createSchedule(plan.id(), schedule, ScheduleOptions.newBuilder().build());
  }

  public List<ScheduleListDescription> list() {
    return schedules.listSchedules().collect(Collectors.toList());
  }

  public ScheduleDescription describe(String id) {
    return schedules.getHandle(id).describe();
  }

  public void pause(String id, String note) {
    schedules.getHandle(id).pause(note);
  }

  public void unpause(String id, String note) {
    schedules.getHandle(id).unpause(note);
  }

  /** Fires once now, under the schedule's own overlap policy. */
  public void trigger(String id) {
    schedules.getHandle(id).trigger();
  }

  public void delete(String id) {
    schedules.getHandle(id).delete();
  }

  /**
   * The form servers without Schedules support: one workflow id whose runs follow the cron
   * expression. A firing never overlaps the previous one (the next waits for it to end) and missed
   * firings are not caught up, so only {@code plan.cron()} applies.
   */
  public WorkflowExecution startCronWorkflow(Plan plan) {
    if (plan.cron() == null) {
      throw new IllegalArgumentException(
          "a cron workflow takes --cron EXPR only (no --every); for every 6 hours use --cron '0 */6 * * *'");
    }
    WorkflowOptions options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(plan.id())
            .setTaskQueue(TaskQueues.CONTROL)
            .setCronSchedule(plan.cron())
            .build();
    return client.newUntypedWorkflowStub(plan.workflowType(), options).start(plan.input());
  }

  /** Ends a cron workflow: its current firing is terminated and no further firing starts. */
  public void stopCronWorkflow(String id, String reason) {
    client.newUntypedWorkflowStub(id).terminate(reason);
  }

  /** True when the server answered that it has no Schedules API (the Java test server does). */
  public static boolean unsupported(Throwable failure) {
    return status(failure) == Status.Code.UNIMPLEMENTED;
  }

  /** The gRPC status code somewhere in a client failure's causes, or null. */
  public static Status.Code status(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s) {
        return s.getStatus().getCode();
      }
    }
    return null;
  }

  /** Overlap policy by its CLI name: skip, buffer-one, buffer-all, cancel-other, terminate-other, allow-all. */
  public static ScheduleOverlapPolicy overlap(String name) {
    String constant = "SCHEDULE_OVERLAP_POLICY_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    return Arrays.stream(ScheduleOverlapPolicy.values())
        .filter(p -> p.name().equals(constant) && p != ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "--overlap " + name + ": expected one of " + String.join(", ", OVERLAP_NAMES)));
  }
}
