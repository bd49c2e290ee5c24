package io.llavascale.activities.lifecycle;

/** ETA of a training stage from this attempt's own pace (earlier attempts ran elsewhere). */
public final class StepRate {
  private final long firstStep;
  private final long startNanos = System.nanoTime();

  /** @param firstStep the step this attempt started from (the restored checkpoint's) */
  public StepRate(long firstStep) {
    this.firstStep = firstStep;
  }

  public double etaSeconds(long step, long total) {
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    long done = step - firstStep;
    return done <= 0 ? 0 : (total - step) * elapsed / done;
  }
}
