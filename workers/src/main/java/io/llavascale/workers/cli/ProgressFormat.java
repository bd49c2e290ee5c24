package io.llavascale.workers.cli;

import io.llavascale.workflows.pipeline.PipelineProgress;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.pipeline.StageStatus;
import io.llavascale.workflows.spec.ComputeSpec;
import io.llavascale.workflows.stages.ChoiceResult;
import io.llavascale.workflows.stages.EvalResult;
import io.llavascale.workflows.stages.JudgedResult;
import io.llavascale.workflows.stages.StageNames;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * How runs look on a terminal: a progress line, the stage table (with the paper's Table 4 columns:
 * GPU-hours and trainable parameters), the evaluation table.
 */
final class ProgressFormat {
  private ProgressFormat() {}

  /** One line: state, stage, step / total, loss, ETA, last checkpoint, GPU-hours so far. */
  static String line(PipelineProgress p) {
    StringBuilder s = new StringBuilder();
    s.append(p.runId()).append(": ").append(p.state());
    if (p.stage() != null && !p.stage().isEmpty()) {
      s.append(" | ").append(p.stage());
    }
    if (p.totalSteps() > 0) {
      s.append(String.format(Locale.ROOT, " step %d/%d (%.0f%%)", p.step(), p.totalSteps(), 100.0 * p.step() / p.totalSteps()));
    }
    if (p.loss() > 0) {
      s.append(String.format(Locale.ROOT, " loss %.4f", p.loss()));
    }
    if (p.etaSeconds() > 0 && "running".equals(p.state())) {
      s.append(" ETA ").append(duration(p.etaSeconds()));
    }
    if (p.lastCheckpoint() != null && !p.lastCheckpoint().isEmpty()) {
      s.append(" | ckpt ").append(p.lastCheckpoint().replaceFirst(".*/ckpt/", "").replace("/", ""));
    }
    if (p.gpuHours() > 0) {
      s.append(String.format(Locale.ROOT, " | %.4f GPU-h", p.gpuHours()));
    }
    return s.toString();
  }

  /** Every stage with seconds, GPU-hours and trainable parameters, then the totals. */
  static void stages(PrintStream out, Iterable<StageStatus> stages) {
    out.printf("  %-9s %-10s %8s %9s %9s  %s%n", "stage", "status", "seconds", "GPU-h", "trainable",
        "detail");
    double seconds = 0;
    double gpuHours = 0;
    for (StageStatus st : stages) {
      out.printf(Locale.ROOT, "  %-9s %-10s %8.1f %9s %9s  %s%n", st.stage(), st.status(),
          st.seconds(), st.gpuHours() > 0 ? String.format(Locale.ROOT, "%.4f", st.gpuHours()) : "-",
          st.trainableParams() > 0 ? count(st.trainableParams()) : "-",
          st.detail() == null ? "" : st.detail());
      seconds += st.seconds();
      gpuHours += st.gpuHours();
    }
    out.printf(Locale.ROOT, "  %-9s %-10s %8.1f %9.4f%n", "total", "", seconds, gpuHours);
  }

  /**
   * The run as a row of the paper's Table 4: stage-2 method, trainable parameters and GPU-hours,
   * also per node (the paper's unit: total / GPUs per node).
   */
  static void table4(PrintStream out, PipelineReport report) {
    StageStatus tune = report.stages().stream()
        .filter(s -> s.stage().equals(StageNames.TUNE)).findFirst().orElse(null);
    if (tune == null) {
      return;
    }
    ComputeSpec c = report.spec().compute();
    out.printf(Locale.ROOT,
        "Table 4: stage 2 %s, %s trainable parameters, %.4f GPU-hours (%.4f per node; %d node%s x %d GPU%s)%n",
        report.spec().tuning().method(), count(tune.trainableParams()), tune.gpuHours(),
        tune.gpuHours() / c.gpusPerNode(), c.nodes(), c.nodes() == 1 ? "" : "s", c.gpusPerNode(),
        c.gpusPerNode() == 1 ? "" : "s");
  }

  /** 950, 16.5K, 1.23M, 0.26B: how the paper writes parameter counts. */
  static String count(long n) {
    if (n < 1_000) {
      return Long.toString(n);
    }
    if (n < 1_000_000) {
      return String.format(Locale.ROOT, "%.1fK", n / 1e3);
    }
    return n < 100_000_000 ? String.format(Locale.ROOT, "%.2fM", n / 1e6)
        : String.format(Locale.ROOT, "%.2fB", n / 1e9);
  }

  static void evaluation(PrintStream out, EvalResult eval) {
    out.printf(Locale.ROOT, "Evaluation: exact match on %d held-out questions%s%n", eval.questions(),
        eval.beams() > 1 ? " (beam " + eval.beams() + ")" : "");
    out.printf("  %-10s %s%n", "category", "exact match");
    for (Map.Entry<String, Double> e : eval.perCategory().entrySet()) {
      out.printf(Locale.ROOT, "  %-10s %.3f%n", e.getKey(), e.getValue());
    }
    out.printf(Locale.ROOT, "  %-10s %.3f%n", "overall", eval.exactMatch());
    if (eval.mmbench() == null && eval.llavaBench() == null && eval.mmlu() == null) {
      return;
    }
    out.println();
    out.printf("  %-12s %7s  %s%n", "benchmark", "score", "detail");
    if (eval.mmbench() != null) {
      ChoiceResult m = eval.mmbench();
      out.printf(Locale.ROOT, "  %-12s %7.3f  circular over %d questions (%d askings), single pass %.3f; %s%n", "mmbench",
          m.accuracy(), m.questions(), m.askings(), m.firstPass(), categories(m.perCategory(), "%.2f"));
    }
    if (eval.llavaBench() != null) {
      JudgedResult j = eval.llavaBench();
      out.printf(Locale.ROOT, "  %-12s %7.1f  relative score, judge %s, %d questions (%d judged, %d cached); %s%n",
          "llava-bench", j.relative(), j.judge(), j.questions(), j.judgeCalls(), j.cached(),
          categories(j.perCategory(), "%.1f"));
    }
    if (eval.mmlu() != null) {
      ChoiceResult m = eval.mmlu();
      out.printf(Locale.ROOT, "  %-12s %7.3f  text only, %d questions; %s%n", "mmlu", m.accuracy(), m.questions(),
          categories(m.perCategory(), "%.2f"));
    }
  }

  /** "complex 50.1, conv 80.0". */
  private static String categories(Map<String, Double> perCategory, String format) {
    StringBuilder s = new StringBuilder();
    perCategory.forEach((category, value) -> s.append(s.length() == 0 ? "" : ", ").append(category).append(' ')
        .append(String.format(Locale.ROOT, format, value)));
    return s.toString();
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
