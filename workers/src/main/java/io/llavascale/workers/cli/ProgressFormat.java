package io.llavascale.workers.cli;

import io.llavascale.workflows.pipeline.PipelineProgress;
import io.llavascale.workflows.pipeline.StageStatus;
import io.llavascale.workflows.stages.EvalResult;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** How runs look on a terminal: a progress line, the stage table, the evaluation table. */
final class ProgressFormat {
  private ProgressFormat() {}

  /** One line: state, stage, step / total, loss, ETA, last checkpoint. */
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
    return s.toString();
  }

  static void stages(PrintStream out, Iterable<StageStatus> stages) {
    out.printf("  %-9s %-10s %8s  %s%n", "stage", "status", "seconds", "detail");
    for (StageStatus st : stages) {
      out.printf(Locale.ROOT, "  %-9s %-10s %8.1f  %s%n", st.stage(), st.status(), st.seconds(),
          st.detail() == null ? "" : st.detail());
    }
  }

  static void evaluation(PrintStream out, EvalResult eval) {
    out.printf(Locale.ROOT, "Evaluation: exact match on %d held-out questions%n", eval.questions());
    out.printf("  %-10s %s%n", "category", "exact match");
    for (Map.Entry<String, Double> e : eval.perCategory().entrySet()) {
      out.printf(Locale.ROOT, "  %-10s %.3f%n", e.getKey(), e.getValue());
    }
    out.printf(Locale.ROOT, "  %-10s %.3f%n", "overall", eval.exactMatch());
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
