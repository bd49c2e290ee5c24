package io.llavascale.workflows.spec;

/**
 * Where the raw LLaVA-format data lives (s3://bucket/key URIs) and how strict data prep is.
 *
 * @param stage1         stage-1 caption JSON (LCS-558K format)
 * @param stage2         stage-2 instruction JSON (LLaVA-80K format)
 * @param images         image folder prefix every record's "image" path is relative to
 * @param eval           held-out questions jsonl (model_vqa format, with reference answers)
 * @param sharegpt       optional text-only ShareGPT JSON mixed into stage 2 ("" when none)
 * @param mixRatio       fraction of stage-2 samples drawn from sharegpt (0 when none)
 * @param maxBadFraction quarantined / records-in above which data prep fails the run
 */
public record DataSpec(
    String stage1,
    String stage2,
    String images,
    String eval,
    String sharegpt,
    double mixRatio,
    double maxBadFraction) {}
