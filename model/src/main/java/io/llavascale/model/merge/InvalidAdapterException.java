package io.llavascale.model.merge;

/** The adapter (or its fit to the base weights) is wrong: a person must fix the input, no retry can. */
public final class InvalidAdapterException extends RuntimeException {
  public InvalidAdapterException(String message) {
    super(message);
  }
}
