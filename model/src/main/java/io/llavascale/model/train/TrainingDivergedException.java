package io.llavascale.model.train;

/** The loss stopped being a finite number: continuing would only spread NaN through the weights. */
public final class TrainingDivergedException extends RuntimeException {
  private final long step;

  public TrainingDivergedException(long step, double loss) {
    super("training diverged at step " + step + ": loss or gradients are not finite (loss " + loss + ")"
        + "; lower the stage's learningRate (or raise warmupRatio) and start the stage again");
    this.step = step;
  }

  public long step() {
    return step;
  }
}
