package io.llavascale.model.train;

/**
 * How a call to {@link TrainingLoop#run} ended.
 *
 * @param steps           updates taken in total, including those before a resume
 * @param finalLoss       loss of the last update this call took (NaN if it took none)
 * @param resumedFromStep step the run resumed from, 0 for a fresh start
 * @param stoppedEarly    a stop was requested before the last update; a checkpoint holds the rest
 */
public record TrainingOutcome(
    long steps, double finalLoss, long resumedFromStep, boolean stoppedEarly) {}
