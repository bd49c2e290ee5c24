package io.llavascale.activities.report;

import io.llavascale.activities.store.StageMetrics;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.pipeline.StageStatus;
import io.llavascale.workflows.stages.ChoiceResult;
import io.llavascale.workflows.stages.EvalResult;
import io.llavascale.workflows.stages.JudgedResult;
import io.llavascale.workflows.stages.StageNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Flattens cells into a {@link ReportContent}; every score becomes a percentage. */
final class ContentBuilder {
  static final String EXACT_MATCH = "exact-match";
  static final String MMBENCH = "mmbench";
  static final String LLAVA_BENCH = "llava-bench";
  static final String MMLU = "mmlu";

  private ContentBuilder() {}

  static ReportContent build(String kind, String id, String title, double gpuHours, List<CellSource> sources) {
    List<ReportContent.Cell> cells = new ArrayList<>();
    List<ReportContent.Stage> stages = new ArrayList<>();
    List<ReportContent.Evaluation> evaluations = new ArrayList<>();
    List<ReportContent.CategoryScore> categories = new ArrayList<>();
    List<ReportContent.LossPoint> losses = new ArrayList<>();
    for (CellSource s : sources) {
      PipelineReport r = s.report();
      EvalResult eval = r == null ? null : r.eval();
      cells.add(new ReportContent.Cell(s.cell(), s.runId(), s.status(), s.modelSize(), s.resolution(), s.mixRatio(),
          s.tuning(), s.beams(),
          eval == null ? null : percent(eval.exactMatch()),
          eval == null || eval.mmbench() == null ? null : percent(eval.mmbench().accuracy()),
          eval == null || eval.llavaBench() == null ? null : eval.llavaBench().relative(),
          eval == null || eval.mmlu() == null ? null : percent(eval.mmlu().accuracy()),
          tunedParams(r), r == null ? 0 : r.gpuHours(), s.error() == null ? "" : s.error()));
      if (r != null) {
        for (StageStatus st : r.stages()) {
          stages.add(new ReportContent.Stage(s.cell(), st.stage(), st.status(), st.seconds(), st.gpuHours(),
              st.trainableParams(), st.detail()));
        }
      }
      if (eval != null) {
        evaluations.add(new ReportContent.Evaluation(s.cell(), EXACT_MATCH, eval.questions(), percent(eval.exactMatch()),
            "beams " + eval.beams()));
        addCategories(categories, s.cell(), EXACT_MATCH, eval.perCategory(), 100);
        choice(evaluations, categories, s.cell(), MMBENCH, eval.mmbench());
        judged(evaluations, categories, s.cell(), eval.llavaBench());
        choice(evaluations, categories, s.cell(), MMLU, eval.mmlu());
      }
      for (Map.Entry<String, List<StageMetrics.Point>> stage : new TreeMap<>(s.metrics()).entrySet()) {
        for (StageMetrics.Point p : stage.getValue()) {
          losses.add(new ReportContent.LossPoint(s.cell(), stage.getKey(), p.step(), p.loss(), p.learningRate(),
              p.seconds()));
        }
      }
    }
    return new ReportContent(kind, id, title, gpuHours, cells, stages, evaluations, categories, losses);
  }

  /** Table 4's column: what stage 2 trained. */
  private static long tunedParams(PipelineReport r) {
    return r == null ? 0 : r.tunedTrainableParams();
  }

  private static void choice(List<ReportContent.Evaluation> evaluations, List<ReportContent.CategoryScore> categories,
      String cell, String benchmark, ChoiceResult c) {
    if (c == null) {
      return;
    }
    evaluations.add(new ReportContent.Evaluation(cell, benchmark, c.questions(), percent(c.accuracy()),
        (c.circular() ? "circular" : "plain") + String.format(java.util.Locale.ROOT, "; first pass %.1f%%; %d askings",
            percent(c.firstPass()), c.askings())));
    addCategories(categories, cell, benchmark, c.perCategory(), 100);
  }

  private static void judged(List<ReportContent.Evaluation> evaluations, List<ReportContent.CategoryScore> categories,
      String cell, JudgedResult j) {
    if (j == null) {
      return;
    }
    evaluations.add(new ReportContent.Evaluation(cell, LLAVA_BENCH, j.questions(), j.relative(),
        String.format(java.util.Locale.ROOT, "relative score; judge %s; model %.2f / reference %.2f",
            j.judge(), j.modelMean(), j.referenceMean())));
    addCategories(categories, cell, LLAVA_BENCH, j.perCategory(), 1);
  }

  private static void addCategories(List<ReportContent.CategoryScore> out, String cell, String benchmark,
      Map<String, Double> perCategory, double scale) {
    if (perCategory != null) {
      new TreeMap<>(perCategory).forEach((category, v) ->
          out.add(new ReportContent.CategoryScore(cell, benchmark, category, v * scale)));
    }
  }

  private static double percent(double fraction) {
    return fraction * 100;
  }
}
