package io.llavascale.model.train;

import io.llavascale.model.optim.LrSchedule;

/**
 * How one training stage runs.
 *
 * @param stage           ALIGN trains the projector only (stage 1); TUNE trains LM + projector
 *                        (stage 2, full fine-tuning)
 * @param learningRate    peak rate after warmup
 * @param warmupRatio     fraction of total steps spent warming up linearly from 0
 * @param schedule        "cosine" or "linear" decay after warmup
 * @param weightDecay     AdamW decoupled decay on matrices
 * @param batchSize       samples per update
 * @param epochs          passes over the data
 * @param maxSteps        cap on updates; 0 means run the epochs out
 * @param seed            model init and data order
 * @param checkpointEvery write a checkpoint every this many updates; 0 means only on stop
 */
public record TrainerConfig(
    Stage stage,
    double learningRate,
    double warmupRatio,
    String schedule,
    double weightDecay,
    int batchSize,
    int epochs,
    long maxSteps,
    long seed,
    long checkpointEvery) {

  public enum Stage {
    ALIGN,
    TUNE;

    /** Whether the parameter at {@code path} trains in this stage. */
    public boolean trains(String path) {
      return switch (this) {
        case ALIGN -> path.startsWith("projector.");
        case TUNE -> path.startsWith("projector.") || path.startsWith("lm.");
      };
    }
  }

  public TrainerConfig {
    if (batchSize <= 0 || epochs <= 0 || maxSteps < 0 || checkpointEvery < 0) {
      throw new IllegalArgumentException(
          "batchSize and epochs must be positive, maxSteps and checkpointEvery non-negative");
    }
    if (warmupRatio < 0 || warmupRatio >= 1) {
      throw new IllegalArgumentException("warmupRatio must be in [0, 1), got " + warmupRatio);
    }
  }

  /** The learning rate of every update of a run of {@code totalSteps} updates. */
  public LrSchedule lrSchedule(long totalSteps) {
    return new LrSchedule(learningRate, warmupRatio, LrSchedule.Decay.parse(schedule), totalSteps);
  }

  /** Updates the run takes over {@code samples} samples. */
  public long totalSteps(int samples) {
    long perEpoch = (samples + batchSize - 1) / batchSize;
    long all = perEpoch * epochs;
    return maxSteps > 0 ? Math.min(maxSteps, all) : all;
  }
}
