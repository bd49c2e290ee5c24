package io.llavascale.workflows.stages;

import java.util.Map;

/**
 * @param outputUri   s3 URI of runs/&lt;runId&gt;/eval/output/
 * @param answersUri  s3 URI of the answers jsonl (model_vqa answer format)
 * @param questions   questions answered
 * @param exactMatch  overall exact-match accuracy in [0, 1]
 * @param perCategory exact-match per question category
 * @param seconds     wall time
 */
public record EvalResult(
    String outputUri,
    String answersUri,
    long questions,
    double exactMatch,
    Map<String, Double> perCategory,
    double seconds) {}
