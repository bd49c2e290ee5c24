package io.llavascale.model.metrics;

/**
 * A judge's two scores for one question, each on LLaVA's 1-10 scale.
 *
 * @param reference the reference answer's score (LLaVA's "Assistant 1")
 * @param model     the model's answer's score ("Assistant 2")
 */
public record Judgement(double reference, double model) {}
