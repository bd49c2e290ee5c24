package io.llavascale.workflows.stages;

import java.util.Map;

/**
 * A judge-scored benchmark's result (LLaVA-Bench style).
 *
 * @param questions     questions judged
 * @param judge         which judge scored them (offline-f1, openai:&lt;model&gt;)
 * @param relative      mean(model score) / mean(reference score) x 100, all questions
 * @param perCategory   the relative score per category (conv, detail, complex)
 * @param modelMean     mean score of the model's answers (1-10)
 * @param referenceMean mean score of the reference answers (1-10)
 * @param judgeCalls    judgements asked of the judge this time
 * @param cached        judgements found in the cache (no call)
 */
public record JudgedResult(
    long questions,
    String judge,
    double relative,
    Map<String, Double> perCategory,
    double modelMean,
    double referenceMean,
    long judgeCalls,
    long cached) {}
