package io.llavascale.model.train;

/** Told after every update; the activity heartbeats from it. */
@FunctionalInterface
public interface StepListener {
  /**
   * @param step         updates taken so far (1 after the first)
   * @param totalSteps   updates the run takes
   * @param loss         mean masked cross-entropy of this update's batch
   * @param tokensPerSec non-pad positions (text and image tokens) per second of this update
   */
  void onStep(long step, long totalSteps, double loss, double tokensPerSec);
}
