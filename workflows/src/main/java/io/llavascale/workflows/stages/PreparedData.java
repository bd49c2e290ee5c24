package io.llavascale.workflows.stages;

/**
 * What data prep committed under {@code runs/<runId>/dataprep/output/}.
 *
 * @param outputUri    s3 URI of the output prefix (shards, tokenizer.json, MANIFEST.json)
 * @param recordsIn    records read over all datasets
 * @param kept         records written to shards
 * @param quarantined  records rejected, with reasons in the quarantine report
 * @param reportUri    s3 URI of the data prep report (quarantine reasons)
 * @param vocabSize    tokenizer vocabulary size
 * @param stage1Samples samples in the stage-1 shards
 * @param stage2Samples samples in the stage-2 shards (text-only included)
 * @param evalQuestions held-out questions kept
 * @param stage2TextOnly text-only (ShareGPT) samples among stage2Samples
 */
public record PreparedData(
    String outputUri,
    long recordsIn,
    long kept,
    long quarantined,
    String reportUri,
    int vocabSize,
    long stage1Samples,
    long stage2Samples,
    long evalQuestions,
    long stage2TextOnly) {}
