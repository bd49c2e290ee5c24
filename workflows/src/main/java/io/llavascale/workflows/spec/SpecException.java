package io.llavascale.workflows.spec;

import java.util.List;

/**
 * A run spec that cannot run: every problem found, not just the first, each naming the field and
 * what it may be. Unchecked because callers either show the errors to a person (CLI) or turn them
 * into a non-retryable {@code InvalidSpec} workflow failure; nothing can recover locally.
 */
public final class SpecException extends RuntimeException {
  private final List<String> errors;

  public SpecException(List<String> errors) {
    this("run spec", errors);
  }

  /** @param what what is invalid, for the message: "run spec", "study spec" */
  public SpecException(String what, List<String> errors) {
    super(format(what, errors));
    this.errors = List.copyOf(errors);
  }

  /** One line per problem, in the order found (fields in spec order). */
  public List<String> errors() {
    return errors;
  }

  private static String format(String what, List<String> errors) {
    if (errors.size() == 1) {
      return "invalid " + what + ": " + errors.get(0);
    }
    StringBuilder sb = new StringBuilder("invalid " + what + " (" + errors.size() + " errors):");
    for (String e : errors) {
      sb.append("\n  - ").append(e);
    }
    return sb.toString();
  }
}
