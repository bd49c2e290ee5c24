package io.llavascale.workers.cli;

import io.llavascale.activities.store.ObjectStore;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.workers.client.DemoDataset;
import io.llavascale.workers.client.Runs;
import io.llavascale.workers.client.Stores;
import io.llavascale.workflows.pipeline.PipelineProgress;
import io.llavascale.workflows.spec.RunSpecParser;
import io.llavascale.workflows.spec.SpecException;
import io.llavascale.workflows.stages.TaskQueues;
import io.llavascale.workflows.study.ScalingStudy;
import io.llavascale.workflows.study.StudyCellResult;
import io.llavascale.workflows.study.StudyPlan;
import io.llavascale.workflows.study.StudyProgress;
import io.llavascale.workflows.study.StudyReport;
import io.llavascale.workflows.study.StudyRunState;
import io.llavascale.workflows.study.StudySpecParser;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Starts a scaling study (a grid of pipeline runs sharing data prep and stage 1). */
@Command(name = "study", subcommands = StudyCommand.Status.class,
    description = "Start a ScalingStudy from a study spec (YAML); `llava study status ID` shows its grid.")
final class StudyCommand implements Runnable {
  @Mixin StackOptions stack;

  // Optional to picocli so that `llava study status ID` parses as the subcommand; run() requires it.
  @Parameters(index = "0", arity = "0..1", paramLabel = "STUDY_YAML", description = "Study spec, e.g. studies/mini.yaml.")
  Path file;

  @Option(names = "--id", paramLabel = "STUDY_ID",
      description = "Study id (workflow id). The same id again resumes: committed child outputs are reused. Default: <name>-<timestamp>.")
  String studyId;

  @Option(names = "--wait", description = "Wait for the study and print its cell table.")
  boolean await;

  @Override
  public void run() {
    if (file == null) {
      throw new CliException("give a study spec, e.g. `llava study studies/mini.yaml --wait`, or `llava study status ID`");
    }
    Map<String, Object> spec = SpecFiles.read(file);
    StudyPlan plan = checkedPlan(spec);
    String id = studyId != null ? studyId : Runs.newRunId(plan.name());
    StackConfig config = stack.connect();
    uploadDemoDatasets(plan, Stores.open(config), config.home());
    WorkflowClient client = TemporalConnections.client(config);
    ScalingStudy study = client.newWorkflowStub(ScalingStudy.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(TaskQueues.CONTROL).build());
    WorkflowClient.start(study::run, spec);
    long cells = plan.runs().stream().filter(r -> r.kind().equals(StudyPlan.CELL)).count();
    System.out.println("started study " + id + ": " + cells + " cells, " + (plan.runs().size() - cells) + " shared runs");
    System.out.println("  progress: llava study status " + id);
    if (await) {
      table(System.out, WorkflowStub.fromTyped(study).getResult(StudyReport.class));
    }
  }

  /** The Table 3a / 4 analogue: cell, status, exact match, stage 2's trainable parameters, GPU-hours; the error under a failed cell. */
  static void table(PrintStream out, StudyReport report) {
    out.printf(Locale.ROOT, "%-32s %-10s %11s %10s %10s%n", "cell", "status", "exact match", "trainable", "GPU-hours");
    for (StudyCellResult c : report.cells()) {
      boolean ok = c.report() != null && c.report().eval() != null;
      out.printf(Locale.ROOT, "%-32s %-10s %11s %10s %10s%n", c.cell(), c.status(),
          ok ? String.format(Locale.ROOT, "%.3f", c.report().eval().exactMatch()) : "-",
          c.report() != null ? String.format(Locale.ROOT, "%,d", c.report().tunedTrainableParams()) : "-",
          c.report() != null ? String.format(Locale.ROOT, "%.4f", c.report().gpuHours()) : "-");
      if (!c.error().isEmpty()) {
        out.println("    " + c.error());
      }
    }
    out.printf(Locale.ROOT, "study %s: %.4f GPU-hours in all (shared runs included); %s%n", report.studyId(),
        report.gpuHours(), report.reportUri());
  }

  @Command(name = "status", description = "Show a study's runs: status, and stage / step of the running ones.")
  static final class Status implements Runnable {
    @Mixin StackOptions stack;

    @Parameters(index = "0", paramLabel = "STUDY_ID")
    String studyId;

    @Override
    public void run() {
      WorkflowClient client = TemporalConnections.client(stack.connect());
      StudyProgress p;
      try {
        p = client.newWorkflowStub(ScalingStudy.class, studyId).progress();
      } catch (io.temporal.client.WorkflowNotFoundException e) {
        throw new CliException("no study " + studyId + " on Temporal; a finished one left studies/" + studyId
            + "/study.json in the run bucket");
      }
      System.out.println("study " + p.studyId() + " (" + p.name() + "): " + p.state());
      Runs runs = new Runs(client);
      for (StudyRunState r : p.runs()) {
        String live = "";
        if (r.status().equals("running")) {
          // The child knows its stage and step; the study does not copy them into its history.
          live = runs.progress(r.runId()).map(StudyCommand::stageLine).orElse("");
        } else if (r.status().equals("completed") && r.kind().equals(StudyPlan.CELL)) {
          live = String.format(Locale.ROOT, "exact match %.3f, %.4f GPU-hours", r.exactMatch(), r.gpuHours());
        } else if (r.status().equals("failed")) {
          live = r.error();
        }
        System.out.printf(Locale.ROOT, "  %-32s %-6s %-10s %s%n", r.name(), r.kind(), r.status(), live);
      }
    }
  }

  private static String stageLine(PipelineProgress p) {
    return p.stage() + (p.totalSteps() > 0 ? " step " + p.step() + "/" + p.totalSteps() : "");
  }

  /** The study's plan, or a CliException naming every bad field, before anything starts. */
  static StudyPlan checkedPlan(Map<String, Object> spec) {
    try {
      return StudySpecParser.plan(StudySpecParser.parse(spec));
    } catch (SpecException e) {
      throw new CliException("invalid study spec:\n  - " + String.join("\n  - ", e.errors()));
    }
  }

  /** The tiny presets read the demo's synthetic datasets; write and upload those the study needs (once). */
  private static void uploadDemoDatasets(StudyPlan plan, ObjectStore store, Path home) {
    Set<String> names = new TreeSet<>();
    for (StudyPlan.Run r : plan.runs()) {
      try {
        names.add(DemoDataset.datasetName(RunSpecParser.parse(r.spec()).data()));
      } catch (IllegalArgumentException ownData) {
        // the study's own dataset, already in the bucket
      }
    }
    for (String name : names) {
      System.out.println("dataset " + name + ": " + DemoDataset.ensure(store, home, name, DemoDataset.BY_NAME.get(name), true)
          .get("stage2"));
    }
  }
}
