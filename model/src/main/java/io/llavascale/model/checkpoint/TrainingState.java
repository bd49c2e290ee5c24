package io.llavascale.model.checkpoint;

/**
 * Where a run stood when a checkpoint was taken, written as {@code state.json}.
 *
 * @param step          optimizer updates taken; training resumes with update {@code step}
 * @param totalSteps    updates the whole run takes
 * @param epoch         epoch the next batch comes from
 * @param cursor        position of the next batch in that epoch's seeded order
 * @param seed          model and data-order seed
 * @param learningRate  the schedule's rate for the next update (for people reading the file; the
 *                      schedule is recomputed from the step)
 * @param configHash    hash of the model and trainer config; resume refuses a mismatch
 */
public record TrainingState(
    long step,
    long totalSteps,
    long epoch,
    long cursor,
    long seed,
    double learningRate,
    String configHash) {}
