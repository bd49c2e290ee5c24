package io.llavascale.workflows.study;

/**
 * One child run of a study as the progress query shows it. A running child's stage and step come
 * from its own {@code progress} query ({@code llava study status} asks it); the study does not
 * copy them into its history.
 *
 * @param name       cell name, or data-r&lt;res&gt;-m&lt;mix&gt; / align-&lt;size&gt;-r&lt;res&gt;-m&lt;mix&gt; for shared runs
 * @param kind       data | align (shared) | cell
 * @param runId      the child's run id
 * @param status     pending | running | completed | failed
 * @param modelSize  size axis value ("" for a data run)
 * @param resolution model.resolution
 * @param mixRatio   data.mixRatio
 * @param tuning     tuning.method ("" for shared runs)
 * @param beams      eval.beams (0 for shared runs)
 * @param error      why it failed ("" otherwise)
 * @param exactMatch held-out exact match of a completed cell (0 otherwise)
 * @param gpuHours   GPU-hours of a completed child (0 otherwise)
 */
public record StudyRunState(
    String name,
    String kind,
    String runId,
    String status,
    String modelSize,
    int resolution,
    double mixRatio,
    String tuning,
    int beams,
    String error,
    double exactMatch,
    double gpuHours) {}
