package io.llavascale.workflows.stages;

/**
 * @param skipped   true when there was nothing to merge (full fine-tuning)
 * @param reason    why it was skipped, or a one-line summary of the merge
 * @param outputUri the model evaluation should load (merged weights, or stage 2's output if skipped)
 * @param seconds   wall time
 */
public record MergeResult(boolean skipped, String reason, String outputUri, double seconds) {}
