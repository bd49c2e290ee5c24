package io.llavascale.activities.report;

import java.util.List;

/**
 * Everything a report shows, as flat tables: report.json is this record and each list is also a
 * CSV file, so the HTML, the JSON and the CSV carry the same data. Scores are percentages.
 *
 * @param kind        run | study
 * @param id          run id or study id
 * @param title       heading of the page
 * @param gpuHours    total GPU-hours (a study's sum over its cells)
 * @param cells       one row per run (a run report has one): the Table 3a / Table 4 analogue
 * @param stages      every cell's stages: status, seconds, GPU-hours, trainable parameters
 * @param evaluations every cell's benchmark results
 * @param categories  per-category scores of every benchmark of every cell
 * @param losses      every logged training step of every cell's stages
 */
public record ReportContent(
    String kind,
    String id,
    String title,
    double gpuHours,
    List<Cell> cells,
    List<Stage> stages,
    List<Evaluation> evaluations,
    List<CategoryScore> categories,
    List<LossPoint> losses) {

  public static final String RUN = "run";
  public static final String STUDY = "study";

  /**
   * A run as a cell of the grid. Scores are null where the benchmark was not run.
   *
   * @param trainableParams stage 2's trainable parameters (Table 4)
   * @param error           why the cell failed; empty when it completed
   */
  public record Cell(
      String cell,
      String runId,
      String status,
      String modelSize,
      int resolution,
      double mixRatio,
      String tuning,
      int beams,
      Double exactMatch,
      Double mmbench,
      Double llavaBench,
      Double mmlu,
      long trainableParams,
      double gpuHours,
      String error) {}

  public record Stage(
      String cell, String stage, String status, double seconds, double gpuHours, long trainableParams, String detail) {}

  /** @param detail how it was scored (circular, first pass, judge) */
  public record Evaluation(String cell, String benchmark, long questions, double score, String detail) {}

  public record CategoryScore(String cell, String benchmark, String category, double score) {}

  public record LossPoint(String cell, String stage, long step, double loss, double learningRate, double seconds) {}
}
