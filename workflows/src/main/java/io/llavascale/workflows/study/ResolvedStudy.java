package io.llavascale.workflows.study;

import io.llavascale.workflows.spec.SpecException;
import java.util.List;
import java.util.Map;

/**
 * A study's raw input resolved once and recorded in the workflow history (a side effect), so a
 * replay after a preset file changed still sees the plan the study started with.
 *
 * @param plan   the plan, or null when the spec is invalid
 * @param errors every problem found (empty when valid)
 */
public record ResolvedStudy(StudyPlan plan, List<String> errors) {

  public static ResolvedStudy of(Map<String, Object> raw) {
    try {
      return new ResolvedStudy(StudySpecParser.plan(StudySpecParser.parse(raw)), List.of());
    } catch (SpecException e) {
      return new ResolvedStudy(null, e.errors());
    }
  }

  public boolean valid() {
    return plan != null && (errors == null || errors.isEmpty());
  }
}
