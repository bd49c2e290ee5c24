package io.llavascale.workflows.spec;

/**
 * @param beams        beam width (1 = greedy)
 * @param maxNewTokens generation cap per answer
 */
public record EvalSpec(int beams, int maxNewTokens) {}
