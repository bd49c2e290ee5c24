package io.llavascale.model.merge;

/** The merged weights do not compute what base + adapter compute: a bug or corrupt input, never transient. */
public final class MergeVerificationException extends RuntimeException {
  public MergeVerificationException(String message) {
    super(message);
  }
}
