package io.llavascale.model.llava;

import java.util.OptionalLong;

/**
 * The training step the current forward pass belongs to, if any. Seeded stochastic layers (LoRA
 * dropout) draw from (model seed, step, layer path), so a resumed run repeats the uninterrupted
 * run's draws; outside a step (decoding, evaluation) they are off. One model, one thread.
 */
public final class StepClock {
  private static final long NONE = -1;

  private long step = NONE;

  /** Marks forward passes as belonging to {@code step} until the returned scope closes. */
  public InStep enter(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    this.step = step;
    return () -> this.step = NONE;
  }

  public OptionalLong step() {
    return step == NONE ? OptionalLong.empty() : OptionalLong.of(step);
  }

  /** Leaves the step; closing never throws. */
  @FunctionalInterface
  public interface InStep extends AutoCloseable {
    @Override
    void close();
  }
}
