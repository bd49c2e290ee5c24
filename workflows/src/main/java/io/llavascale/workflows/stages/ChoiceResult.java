package io.llavascale.workflows.stages;

import java.util.Map;

/**
 * A multiple-choice benchmark's result.
 *
 * @param questions   questions scored
 * @param askings     prompts put to the model (questions x rotations when circular)
 * @param circular    whether every rotation of the options had to be answered right
 * @param accuracy    the headline in [0, 1]: circular accuracy when circular, else plain accuracy
 * @param firstPass   accuracy on the options in the given order alone (MMBench's VanillaEval)
 * @param perCategory headline accuracy per category
 */
public record ChoiceResult(
    long questions,
    long askings,
    boolean circular,
    double accuracy,
    double firstPass,
    Map<String, Double> perCategory) {}
