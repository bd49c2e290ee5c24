package io.llavascale.workflows.study;

import java.util.List;
import java.util.Map;

/**
 * A study expanded into child pipeline runs, in start order: one data prep per (resolution, mix),
 * one stage 1 per (size, resolution, mix) on top of it, then the cells on top of those. Built and
 * validated by {@link StudySpecParser#plan}; the workflow records it once in its history.
 *
 * @param name          the study's name
 * @param runs          every child
 * @param maxConcurrent every pool a child uses -> children of that pool running at once
 */
public record StudyPlan(String name, List<Run> runs, Map<String, Integer> maxConcurrent) {
  public static final String DATA = "data";
  public static final String ALIGN = "align";
  public static final String CELL = "cell";

  /**
   * One child run.
   *
   * @param name       unique in the study; the child run id is {@code <studyId>-<name>}
   * @param kind       data | align | cell
   * @param dataFrom   the run whose data prep it takes ("" for a data run)
   * @param stage1From the run whose stage 1 it takes ("" for shared runs)
   * @param stage2From the cell whose stage 2 (and merge) it takes: a cell that differs from it only
   *                   in beam width ("" when it tunes its own)
   * @param pool       its compute.gpuPool
   * @param modelSize  size axis value ("" for a data run)
   * @param resolution model.resolution
   * @param mixRatio   data.mixRatio
   * @param tuning     tuning.method ("" for shared runs)
   * @param beams      eval.beams (0 for shared runs)
   * @param spec       its LlavaPipeline input (preset + overrides); dataFrom, stage1From and
   *                   stage2From are added at start, as run ids
   */
  public record Run(
      String name,
      String kind,
      String dataFrom,
      String stage1From,
      String stage2From,
      String pool,
      String modelSize,
      int resolution,
      double mixRatio,
      String tuning,
      int beams,
      Map<String, Object> spec) {

    /** The runs it waits for: it starts once they completed, and fails if one failed. */
    public java.util.List<String> dependsOn() {
      return java.util.stream.Stream.of(dataFrom, stage1From, stage2From).filter(s -> !s.isEmpty()).toList();
    }
  }
}
