/**
 * DataPrep: raw LLaVA datasets in the object store to training shards.
 *
 * <p>Output under {@code runs/<runId>/dataprep/output/}:
 *
 * <ul>
 *   <li>{@code stage1-NNNNN.shard}, {@code stage2-NNNNN.shard}: tokenized samples in the binary
 *       format of {@link io.llavascale.model.data.ShardFormat} (ids, labels with -100 masks,
 *       planar RGB uint8 pixels), bounded in size; read them with
 *       {@link io.llavascale.activities.dataprep.PreparedDataReader}.
 *   <li>{@code eval.jsonl}: eval items ({@link io.llavascale.model.data.EvalItemWriter}).
 *   <li>{@code tokenizer.json}: Hugging Face WordLevel tokenizer
 *       ({@link io.llavascale.model.tokenizer.WordTokenizerBuilder}).
 *   <li>{@code quarantine.jsonl}: one line per bad record
 *       {@code {"dataset", "index", "id", "reason", "detail"}}.
 *   <li>{@code report.json}: records in / kept / quarantined and a reason histogram, overall and
 *       per dataset (stage1, stage2, sharegpt, eval); {@code status} ok | failed.
 * </ul>
 *
 * <p>The stage committer (not this package) writes {@code result.json} and {@code MANIFEST.json}.
 * {@link io.llavascale.activities.dataprep.synthetic.SyntheticDataset} writes demo data in the raw
 * formats.
 */
package io.llavascale.activities.dataprep;
