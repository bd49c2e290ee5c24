package io.llavascale.workflows.study;

import io.llavascale.workflows.pipeline.PipelineReport;

/**
 * One grid cell of a {@link StudyReport}.
 *
 * @param cell      cell name: {@code <size>-r<resolution>-m<mix %>-<tuning>-b<beams>}
 * @param runId     the cell's pipeline run id ({@code <studyId>-<cell>})
 * @param status    completed | failed
 * @param modelSize the size axis value (a model.size, or a named variant such as tiny-s)
 * @param resolution model.resolution
 * @param tuning    tuning.method
 * @param mixRatio  data.mixRatio (0 = no ShareGPT)
 * @param beams     eval.beams
 * @param error     why the cell failed ("" when it completed)
 * @param report    the cell's pipeline report (null when it failed)
 */
public record StudyCellResult(
    String cell,
    String runId,
    String status,
    String modelSize,
    int resolution,
    String tuning,
    double mixRatio,
    int beams,
    String error,
    PipelineReport report) {}
