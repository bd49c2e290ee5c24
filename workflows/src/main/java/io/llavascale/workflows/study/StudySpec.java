package io.llavascale.workflows.study;

import java.util.List;
import java.util.Map;

/**
 * A study spec as written (YAML), shape-checked by {@link StudySpecParser}.
 *
 * @param name          study name (a-z, 0-9, '-'): labels reports and the default study id
 * @param base          the preset every child starts from (see `llava presets`)
 * @param seed          every child's seed
 * @param overrides     run-spec fields applied to every child (e.g. stage2.maxSteps, data)
 * @param grid          the axes; the cells are their cross product
 * @param maxConcurrent compute.gpuPool -> children of that pool running at once (1 if absent)
 */
public record StudySpec(
    String name, String base, long seed, Map<String, Object> overrides, Grid grid, Map<String, Integer> maxConcurrent) {

  /** Each axis lists its values; an axis left out takes the base spec's one value. */
  public record Grid(
      List<AxisValue> sizes,
      List<AxisValue> resolutions,
      List<AxisValue> mixes,
      List<AxisValue> tunings,
      List<AxisValue> beams) {}

  /**
   * One value of an axis and the run-spec fields that go with it.
   *
   * @param value     as written: a size name, 224, 0.25, lora, 5
   * @param overrides run-spec fields for cells with this value (e.g. the LoRA rank for lora)
   */
  public record AxisValue(String value, Map<String, Object> overrides) {}
}
