package io.llavascale.model.optim;

import java.util.Locale;

/**
 * Learning rate as a pure function of the step, matching HF's {@code get_cosine_schedule_with_warmup}
 * and {@code get_linear_schedule_with_warmup}: linear warmup from 0 over ceil(warmupRatio x total)
 * steps, then cosine or linear decay to 0. Being pure, a resumed run needs only the step.
 */
public final class LrSchedule {
  public enum Decay {
    COSINE,
    LINEAR;

    public static Decay parse(String name) {
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "cosine" -> COSINE;
        case "linear" -> LINEAR;
        default -> throw new IllegalArgumentException(
            "schedule must be cosine or linear, got " + name);
      };
    }
  }

  private final double peak;
  private final long warmupSteps;
  private final long totalSteps;
  private final Decay decay;

  public LrSchedule(double peak, double warmupRatio, Decay decay, long totalSteps) {
    this.peak = peak;
    this.warmupSteps = (long) Math.ceil(warmupRatio * totalSteps);
    this.totalSteps = totalSteps;
    this.decay = decay;
  }

  public long warmupSteps() {
    return warmupSteps;
  }

  /** The rate for the update taken at 0-based {@code step}. */
  public double at(long step) {
    if (step < warmupSteps) {
      return peak * step / Math.max(1, warmupSteps);
    }
    double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    return switch (decay) {
      case COSINE -> peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
      case LINEAR -> peak * Math.max(0, 1 - progress);
    };
  }
}
