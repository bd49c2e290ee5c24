package io.llavascale.model.metrics;

/**
 * What a judge sees for one open question (LLaVA's {@code eval_gpt_review_bench.py} inputs).
 *
 * @param category  conv, detail or complex
 * @param context   a text description of the image (the judge does not see pixels); "" when none
 * @param question  the question asked
 * @param reference the reference answer
 * @param answer    the model's answer
 */
public record JudgeRequest(String category, String context, String question, String reference, String answer) {}
