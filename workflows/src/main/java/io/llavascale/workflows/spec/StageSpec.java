package io.llavascale.workflows.spec;

/**
 * Optimisation settings of one training stage.
 *
 * @param learningRate peak learning rate
 * @param warmupRatio  fraction of steps with linear warmup
 * @param schedule     cosine | linear (decay after warmup)
 * @param weightDecay  AdamW decoupled weight decay
 * @param batchSize    global batch size
 * @param epochs       passes over the stage's data
 * @param maxSteps     if above 0, stop after this many steps (caps epochs)
 * @param maxLength    token cap per sample (2048 in the paper)
 */
public record StageSpec(
    double learningRate,
    double warmupRatio,
    String schedule,
    double weightDecay,
    int batchSize,
    int epochs,
    int maxSteps,
    int maxLength) {}
