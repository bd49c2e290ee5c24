package io.llavascale.workers.cli;

/** A failure the user can act on: printed as one line, no stack trace, exit code 2. */
public final class CliException extends RuntimeException {
  public CliException(String message) {
    super(message);
  }
}
