package io.llavascale.workflows.pipeline;

import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.RunSpecParser;
import io.llavascale.workflows.spec.SpecException;
import java.util.List;
import java.util.Map;

/**
 * The outcome of resolving a run's raw input, recorded once in the workflow history (as a side
 * effect) so that a replay after a preset file changed still sees the spec the run started with.
 *
 * @param spec   the resolved spec, or null when invalid
 * @param errors every problem found (empty when valid)
 */
public record ResolvedSpec(RunSpec spec, List<String> errors) {

  public static ResolvedSpec of(Map<String, Object> raw) {
    try {
      return new ResolvedSpec(RunSpecParser.parse(raw), List.of());
    } catch (SpecException e) {
      return new ResolvedSpec(null, e.errors());
    }
  }

  public boolean valid() {
    return spec != null && (errors == null || errors.isEmpty());
  }
}
