package io.llavascale.workflows.spec;

/**
 * Where the raw LLaVA-format data lives (s3://bucket/key URIs) and how strict data prep is.
 *
 * @param stage1         stage-1 caption JSON (LCS-558K format)
 * @param stage2         stage-2 instruction JSON (LLaVA-80K format)
 * @param images         image folder prefix every record's "image" path is relative to
 * @param eval           held-out questions jsonl (model_vqa format, with reference answers)
 * @param mmbench        multiple-choice questions jsonl (MMBench-like, with options) for
 *                       benchmark mmbench ("" when none)
 * @param llavaBench     open questions jsonl with reference answers and image descriptions
 *                       (LLaVA-Bench-like) for benchmark llava-bench ("" when none)
 * @param mmlu           text-only multiple-choice jsonl (MMLU-like) for benchmark mmlu ("" when none)
 * @param sharegpt       optional text-only ShareGPT JSON mixed into stage 2 ("" when none)
 * @param mixRatio       fraction of stage-2 samples drawn from sharegpt (0 when none)
 * @param maxBadFraction quarantined / records-in above which data prep fails the run
 */
public record DataSpec(
    String stage1,
    String stage2,
    String images,
    String eval,
    String mmbench,
    String llavaBench,
    String mmlu,
    String sharegpt,
    double mixRatio,
    double maxBadFraction) {

  /** Absent benchmark sets (a spec recorded in a Temporal history before they existed) are none. */
  public DataSpec {
    mmbench = mmbench == null ? "" : mmbench;
    llavaBench = llavaBench == null ? "" : llavaBench;
    mmlu = mmlu == null ? "" : mmlu;
  }

  /** The data URI a benchmark of {@link EvalSpec#BENCHMARKS} reads ("" when none is set). */
  public String benchmark(String name) {
    return switch (benchmarkField(name)) {
      case "mmbench" -> mmbench;
      case "llavaBench" -> llavaBench;
      default -> mmlu;
    };
  }

  /** The field that holds a benchmark's data: llava-bench -> llavaBench. */
  public static String benchmarkField(String name) {
    return switch (name) {
      case EvalSpec.MMBENCH -> "mmbench";
      case EvalSpec.LLAVA_BENCH -> "llavaBench";
      case EvalSpec.MMLU -> "mmlu";
      default -> throw new IllegalArgumentException("unknown benchmark '" + name + "' (allowed: "
          + String.join(", ", EvalSpec.BENCHMARKS) + ")");
    };
  }
}
