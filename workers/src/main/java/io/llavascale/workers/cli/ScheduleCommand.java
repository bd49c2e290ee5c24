package io.llavascale.workers.cli;

import io.grpc.Status;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.workers.client.Schedules;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleListActionStartWorkflow;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.client.schedules.ScheduleSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `llava schedule ...`: recurring pipeline or study runs. */
@Command(
    name = "schedule",
    description = "Recurring pipeline or study runs on Temporal Schedules (cron workflows where the server has none).",
    subcommands = {
      ScheduleCommand.Create.class,
      ScheduleCommand.ListSchedules.class,
      ScheduleCommand.Describe.class,
      ScheduleCommand.Pause.class,
      ScheduleCommand.Unpause.class,
      ScheduleCommand.Trigger.class,
      ScheduleCommand.Delete.class
    })
final class ScheduleCommand implements Runnable {
  static final String NO_SCHEDULES =
      "this Temporal server has no Schedules API (it answered UNIMPLEMENTED; the embedded dev server"
          + " never has one). It runs cron workflows: add --cron-workflow to `llava schedule create`"
          + " (with --cron EXPR; every firing is still its own run), and end one with"
          + " `llava schedule delete ID --cron-workflow`";

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  abstract static class ScheduleAction implements Runnable {
    @Mixin StackOptions stack;

    Schedules schedules() {
      return new Schedules(TemporalConnections.client(stack.connect()));
    }

    /** Runs a Schedules call, turning the server's answers into one line a person can act on. */
    <T> T call(String id, Supplier<T> action) {
      try {
        return action.get();
      } catch (ScheduleAlreadyRunningException e) {
        throw new CliException("schedule " + id + " already exists (`llava schedule delete " + id + "` first, or pick another id)");
      } catch (RuntimeException e) {
        if (Schedules.unsupported(e)) {
          throw new CliException(NO_SCHEDULES);
        }
        if (Schedules.status(e) == Status.Code.NOT_FOUND) {
          throw new CliException("no schedule " + id + " (`llava schedule list` shows them)");
        }
        throw e;
      }
    }

    void call(String id, Runnable action) {
      call(id, () -> {
        action.run();
        return null;
      });
    }
  }

  abstract static class OneSchedule extends ScheduleAction {
    @Parameters(index = "0", paramLabel = "SCHEDULE_ID", description = "The schedule id.")
    String id;
  }

  @Command(name = "create", description = "Create a schedule that starts a pipeline run (spec or preset) or a study on a cron expression or an interval.")
  static final class Create extends OneSchedule {
    @Option(names = {"-f", "--file"}, paramLabel = "SPEC", description = "Pipeline run spec (YAML or JSON).")
    Path file;

    @Option(names = "--preset", paramLabel = "NAME", description = "Pipeline from a preset (see `llava presets`).")
    String preset;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a pipeline spec field (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--study", paramLabel = "STUDY", description = "Study spec (YAML or JSON): starts " + Schedules.STUDY_TYPE + " instead of a pipeline.")
    Path study;

    @Option(names = "--cron", paramLabel = "EXPR", description = "Cron expression (UTC), e.g. '0 2 * * *' for 02:00 every night.")
    String cron;

    @Option(names = "--every", paramLabel = "DURATION", description = "Interval (ISO-8601), e.g. PT6H or P7D.")
    Duration every;

    @Option(names = "--overlap", paramLabel = "POLICY", description = "When a firing finds the previous run still going: skip (default), buffer-one, buffer-all, cancel-other, terminate-other, allow-all.")
    String overlap;

    @Option(names = "--catchup-window", paramLabel = "DURATION", description = "How late a firing missed while the server was down may still start (default PT1H).")
    Duration catchupWindow;

    @Option(names = "--paused", description = "Create it paused.")
    boolean paused;

    @Option(names = "--note", paramLabel = "TEXT", description = "Note shown with the schedule.")
    String note = "";

    @Option(names = "--cron-workflow", description = "Start a cron workflow instead (servers without Schedules, such as the embedded dev server).")
    boolean cronWorkflow;

    @Override
    public void run() {
      Map<String, Object> input = input();
      String type = study != null ? Schedules.STUDY_TYPE : Schedules.PIPELINE_TYPE;
      if (cronWorkflow && (overlap != null || catchupWindow != null || paused)) {
        throw new CliException("--overlap, --catchup-window and --paused need Temporal Schedules; a cron workflow"
            + " never overlaps (the next firing waits for the running one) and never catches up");
      }
      Schedules.Plan plan = new Schedules.Plan(id, type, input, cron, every,
          Schedules.overlap(overlap == null ? "skip" : overlap),
          catchupWindow == null ? Duration.ofHours(1) : catchupWindow, paused, note);
      Schedules schedules = schedules();
      if (cronWorkflow) {
        try {
          schedules.startCronWorkflow(plan);
        } catch (WorkflowExecutionAlreadyStarted e) {
          throw new CliException("workflow " + id + " is already running (`llava schedule delete " + id + " --cron-workflow` ends it)");
        }
        System.out.println("started cron workflow " + id + ": " + type + " on '" + cron + "' (UTC)");
        System.out.println("  each firing is its own run: " + id + "-<firing time, yyyyMMdd-HHmmss UTC>");
        System.out.println("  end it: llava schedule delete " + id + " --cron-workflow");
        return;
      }
      call(id, () -> schedules.create(plan));
      System.out.println("created schedule " + id + ": " + type + " " + when(cron, every)
          + ", overlap " + plan.overlap().name().replace("SCHEDULE_OVERLAP_POLICY_", "").toLowerCase(Locale.ROOT).replace('_', '-')
          + ", catch-up window " + plan.catchupWindow() + (paused ? ", paused" : ""));
      System.out.println("  each firing is its own run: " + id + "-<firing time, RFC 3339>");
      System.out.println("  see it: llava schedule describe " + id);
    }

    private Map<String, Object> input() {
      if (study != null) {
        if (file != null || preset != null || !overrides.isEmpty()) {
          throw new CliException("--study starts a study: leave out -f, --preset and --set (they describe one pipeline run)");
        }
        Map<String, Object> spec = SpecFiles.read(study);
        StudyCommand.checkedPlan(spec); // a bad spec fails here, not at every firing
        return spec;
      }
      return SpecFiles.pipelineInput(file, preset, overrides);
    }
  }

  @Command(name = "list", description = "List the namespace's schedules.")
  static final class ListSchedules extends ScheduleAction {
    @Override
    public void run() {
      List<ScheduleListDescription> all = call("", () -> schedules().list());
      if (all.isEmpty()) {
        System.out.println("no schedules");
        return;
      }
      System.out.printf("%-28s %-14s %-22s %-7s %s%n", "SCHEDULE", "WORKFLOW", "WHEN", "PAUSED", "NEXT FIRING");
      for (ScheduleListDescription d : all) {
        String workflow = d.getSchedule().getAction() instanceof ScheduleListActionStartWorkflow w ? w.getWorkflow() : "?";
        List<Instant> next = d.getInfo().getNextActionTimes();
        System.out.printf("%-28s %-14s %-22s %-7s %s%n", d.getScheduleId(), workflow, when(d.getSchedule().getSpec()),
            d.getSchedule().getState().isPaused() ? "yes" : "no", next.isEmpty() ? "-" : next.get(0));
      }
    }
  }

  @Command(name = "describe", description = "Show a schedule: what it starts, when, its policies and its recent runs.")
  static final class Describe extends OneSchedule {
    @Override
    public void run() {
      ScheduleDescription d = call(id, () -> schedules().describe(id));
      var schedule = d.getSchedule();
      String workflow = schedule.getAction() instanceof io.temporal.client.schedules.ScheduleActionStartWorkflow w
          ? w.getWorkflowType() + " on " + w.getOptions().getTaskQueue() : "?";
      System.out.println("schedule " + d.getId() + ": " + workflow);
      System.out.println("  when:            " + when(schedule.getSpec()));
      System.out.println("  overlap:         " + schedule.getPolicy().getOverlap());
      System.out.println("  catch-up window: " + schedule.getPolicy().getCatchupWindow());
      System.out.println("  paused:          " + (schedule.getState().isPaused() ? "yes" : "no")
          + (schedule.getState().getNote() == null || schedule.getState().getNote().isEmpty() ? "" : " (" + schedule.getState().getNote() + ")"));
      System.out.println("  firings:         " + d.getInfo().getNumActions()
          + " (skipped for overlap " + d.getInfo().getNumActionsSkippedOverlap()
          + ", missed the catch-up window " + d.getInfo().getNumActionsMissedCatchupWindow() + ")");
      System.out.println("  next:            " + d.getInfo().getNextActionTimes().stream().limit(3).map(Instant::toString).collect(Collectors.joining(", ")));
      for (ScheduleActionResult r : d.getInfo().getRecentActions()) {
        if (r.getAction() instanceof ScheduleActionExecutionStartWorkflow w) {
          System.out.println("  run " + w.getWorkflowId() + " (fired " + r.getScheduledAt() + ")");
        }
      }
    }
  }

  @Command(name = "pause", description = "Stop a schedule from firing (runs already started go on).")
  static final class Pause extends OneSchedule {
    @Option(names = "--note", paramLabel = "TEXT", description = "Why.")
    String note = "paused with llava schedule pause";

    @Override
    public void run() {
      call(id, () -> schedules().pause(id, note));
      System.out.println("schedule " + id + " paused (`llava schedule unpause " + id + "` resumes it)");
    }
  }

  @Command(name = "unpause", description = "Let a paused schedule fire again.")
  static final class Unpause extends OneSchedule {
    @Option(names = "--note", paramLabel = "TEXT", description = "Why.")
    String note = "unpaused with llava schedule unpause";

    @Override
    public void run() {
      call(id, () -> schedules().unpause(id, note));
      System.out.println("schedule " + id + " unpaused");
    }
  }

  @Command(name = "trigger", description = "Fire a schedule once now (its overlap policy applies).")
  static final class Trigger extends OneSchedule {
    @Override
    public void run() {
      call(id, () -> schedules().trigger(id));
      System.out.println("schedule " + id + " triggered; the run is " + id + "-<now>");
    }
  }

  @Command(name = "delete", description = "Delete a schedule (runs it started go on), or end a cron workflow with --cron-workflow.")
  static final class Delete extends OneSchedule {
    @Option(names = "--cron-workflow", description = "ID is a cron workflow: terminate its current firing and every later one.")
    boolean cronWorkflow;

    @Override
    public void run() {
      Schedules schedules = schedules();
      if (cronWorkflow) {
        try {
          schedules.stopCronWorkflow(id, "ended with llava schedule delete --cron-workflow");
        } catch (io.temporal.client.WorkflowNotFoundException e) {
          throw new CliException("no running cron workflow " + id);
        }
        System.out.println("cron workflow " + id + " ended; committed stages of its last firing stay in S3 for `llava resume`");
        return;
      }
      call(id, () -> schedules.delete(id));
      System.out.println("schedule " + id + " deleted (runs it started go on)");
    }
  }

  static String when(String cron, Duration every) {
    return cron != null ? "cron '" + cron + "'" : "every " + every;
  }

  static String when(ScheduleSpec spec) {
    List<String> parts = new ArrayList<>();
    spec.getCronExpressions().forEach(c -> parts.add("cron '" + c + "'"));
    for (ScheduleIntervalSpec i : spec.getIntervals()) {
      parts.add("every " + i.getEvery());
    }
    if (parts.isEmpty() && !spec.getCalendars().isEmpty()) {
      parts.add(spec.getCalendars().size() + " calendar spec(s)");
    }
    return String.join(", ", parts);
  }
}
