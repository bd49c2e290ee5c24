package io.llavascale.workflows.stages;

import java.util.Map;

/**
 * What Evaluate reports; it is {@code eval} in the run's report.json.
 *
 * @param outputUri   s3 URI of runs/&lt;runId&gt;/eval/output/
 * @param answersUri  s3 URI of the answers jsonl (model_vqa answer format)
 * @param questions   questions answered
 * @param exactMatch  overall exact-match accuracy in [0, 1]
 * @param perCategory exact-match per question category
 * @param seconds     wall time
 * @param beams       beam width every answer was generated with
 * @param mmbench     MMBench-style multiple choice, circular; null when not run
 * @param llavaBench  LLaVA-Bench-style judged relative score; null when not run
 * @param mmlu        MMLU-style text-only multiple choice; null when not run
 */
public record EvalResult(
    String outputUri,
    String answersUri,
    long questions,
    double exactMatch,
    Map<String, Double> perCategory,
    double seconds,
    int beams,
    ChoiceResult mmbench,
    JudgedResult llavaBench,
    ChoiceResult mmlu) {}
