package io.llavascale.workflows.stages;

/**
 * @param skipped    true when there was nothing to merge (full fine-tuning)
 * @param reason     why it was skipped, or a one-line summary of the merge
 * @param outputUri  the model evaluation should load (merged weights, or stage 2's output if skipped)
 * @param seconds    wall time
 * @param verifiedBy how the merged model was checked against the unmerged one (whole-model,
 *                   layer-probe); empty when skipped
 * @param maxAbsDiff the largest |merged - unmerged| output that check found
 */
public record MergeResult(
    boolean skipped, String reason, String outputUri, double seconds, String verifiedBy, double maxAbsDiff) {

  /** Full fine-tuning's merge: skipped, and evaluation loads stage 2's own output. */
  public static MergeResult nothingToMerge(String tunedUri) {
    return new MergeResult(true, "full fine-tuning: nothing to merge", tunedUri, 0, "", 0);
  }
}
