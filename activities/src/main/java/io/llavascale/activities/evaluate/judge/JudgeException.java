package io.llavascale.activities.evaluate.judge;

/**
 * The judge gave no usable judgement. {@link #retryable()}: worth another attempt later (the
 * endpoint kept failing or timing out); otherwise a person must act (bad key or model, replies
 * that never hold two scores).
 */
public final class JudgeException extends RuntimeException {
  private final boolean retryable;

  JudgeException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
