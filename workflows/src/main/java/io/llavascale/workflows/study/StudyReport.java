package io.llavascale.workflows.study;

import java.util.List;

/**
 * A finished study, also written as {@code studies/<studyId>/study.json} (exactly this record as
 * JSON; {@code llava report} reads it by these field names).
 *
 * @param studyId   the study's workflow id; its child runs are {@code <studyId>-<cell>}
 * @param name      the study spec's name
 * @param cells     every grid cell, in grid order, completed or failed
 * @param gpuHours  GPU-hours of every child that completed, shared data prep and stage 1 included
 * @param reportUri s3 URI of study.json
 */
public record StudyReport(String studyId, String name, List<StudyCellResult> cells, double gpuHours, String reportUri) {}
