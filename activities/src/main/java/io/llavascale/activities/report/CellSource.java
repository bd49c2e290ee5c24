package io.llavascale.activities.report;

import io.llavascale.activities.store.StageMetrics;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.pipeline.StageStatus;
import io.llavascale.workflows.spec.RunSpec;
import java.util.List;
import java.util.Map;

/**
 * What a report knows of one run: its place in the grid, its report.json and its stages' loss logs.
 *
 * @param report  null when the run failed before it wrote one
 * @param metrics logged steps by stage (stage1, stage2); stages without a log are absent
 */
record CellSource(
    String cell,
    String runId,
    String status,
    String modelSize,
    int resolution,
    String tuning,
    double mixRatio,
    int beams,
    String error,
    PipelineReport report,
    Map<String, List<StageMetrics.Point>> metrics) {

  /** A single run: its grid coordinates come from its spec, its status from its stages. */
  static CellSource ofRun(PipelineReport report, Map<String, List<StageMetrics.Point>> metrics) {
    RunSpec spec = report.spec();
    StageStatus failed = report.stages().stream()
        .filter(s -> s.status().equals("failed") || s.status().equals("cancelled"))
        .findFirst().orElse(null);
    return new CellSource(report.runId(), report.runId(), failed == null ? "completed" : failed.status(),
        spec.model().size(), spec.model().resolution(), spec.tuning().method(), spec.data().mixRatio(),
        spec.eval().beams(), failed == null ? "" : failed.stage() + ": " + failed.detail(), report, metrics);
  }
}
