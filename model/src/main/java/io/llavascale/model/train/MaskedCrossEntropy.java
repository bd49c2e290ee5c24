package io.llavascale.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.llavascale.model.Autograd;

/** Mean next-token cross-entropy over positions whose target is not {@link TrainingSample#IGNORE}. */
public final class MaskedCrossEntropy {
  private MaskedCrossEntropy() {}

  /**
   * @param logits  [batch, seq, vocab]
   * @param targets [batch, seq] int64, IGNORE where no loss is taken
   * @param counted positions with a real target (at least 1 is used to avoid dividing by 0)
   */
  public static NDArray mean(NDArray logits, NDArray targets, int counted) {
    long vocab = logits.getShape().get(2);
    NDArray flat = targets.reshape(-1, 1);
    NDArray keep = flat.gte(0).toType(DataType.FLOAT32, false).reshape(-1);
    // Ignored targets pick class 0 and are then zeroed by the mask.
    NDArray picked = logits.logSoftmax(-1).reshape(-1, vocab).gather(flat.maximum(0), 1).reshape(-1);
    NDArray total = picked.mul(keep).sum().neg();
    return total.div(Autograd.scalar(total, Math.max(1, counted)));
  }
}
