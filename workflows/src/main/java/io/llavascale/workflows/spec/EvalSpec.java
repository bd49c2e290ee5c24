package io.llavascale.workflows.spec;

import java.util.List;

/**
 * What Evaluate runs. Exact match on {@code data.eval} always runs; the benchmarks add to it.
 *
 * @param beams        beam width (1 = greedy) for every generated answer
 * @param maxNewTokens generation cap per answer
 * @param benchmarks   extra benchmarks, each reading its {@code data.*} set: mmbench (multiple
 *                     choice, circular), llava-bench (judge-scored relative score), mmlu
 *                     (text-only multiple choice)
 * @param judge        llava-bench's judge: offline (word-overlap F1, no network) or openai (an
 *                     OpenAI-compatible chat-completions endpoint; URL and key from the worker's
 *                     environment, never from the spec)
 * @param judgeModel   the openai judge's model; "" takes LLAVA_JUDGE_MODEL from the worker's
 *                     environment
 */
public record EvalSpec(int beams, int maxNewTokens, List<String> benchmarks, String judge, String judgeModel) {
  public static final String MMBENCH = "mmbench";
  public static final String LLAVA_BENCH = "llava-bench";
  public static final String MMLU = "mmlu";
  public static final List<String> BENCHMARKS = List.of(MMBENCH, LLAVA_BENCH, MMLU);
  public static final String OFFLINE_JUDGE = "offline";
  public static final String OPENAI_JUDGE = "openai";
  public static final List<String> JUDGES = List.of(OFFLINE_JUDGE, OPENAI_JUDGE);

  /** Absent fields (a spec recorded in a Temporal history before they existed) take their defaults. */
  public EvalSpec {
    benchmarks = benchmarks == null ? List.of() : List.copyOf(benchmarks);
    judge = judge == null ? OFFLINE_JUDGE : judge;
    judgeModel = judgeModel == null ? "" : judgeModel;
  }
}
