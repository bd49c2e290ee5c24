package io.llavascale.model.decode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llavascale.model.Autograd;
import io.llavascale.model.llava.LlavaBatch;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TokenIds;
import io.llavascale.model.train.TrainingSample;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy decoding (temperature 0, beam 1): run the whole sequence, append the most likely next
 * token, repeat. No KV cache; the tiny model re-encodes a few dozen positions per token.
 */
public final class GreedyDecoder {
  private GreedyDecoder() {}

  /**
   * @param image        3 x S x S pixels, or null for a text-only prompt
   * @param promptIds    the prompt, with one {@code <image>} token when image is given
   * @return the new tokens, without the EOS that ended them; stops early at EOS or maxSeqLen
   */
  public static int[] generate(TinyLlava model, float[] image, int[] promptIds, int maxNewTokens) {
    Autograd.offOnThisThread();
    int[] ids = Arrays.copyOf(promptIds, promptIds.length + maxNewTokens);
    int length = promptIds.length;
    for (int produced = 0; produced < maxNewTokens; produced++) {
      int[] sequence = Arrays.copyOf(ids, length);
      int[] noLabels = new int[length];
      Arrays.fill(noLabels, TrainingSample.IGNORE);
      LlavaBatch batch = LlavaBatch.of(
          List.of(new TrainingSample("decode", sequence, noLabels, image)), model.config());
      if (batch.lengths()[0] >= model.config().maxSeqLen()) {
        break; // no position left for another token
      }
      int next;
      try (NDManager scope = model.manager().newSubManager()) {
        NDArray logits = model.logits(batch.inputs(scope, model.config()));
        next = (int) logits.get(0, batch.lengths()[0] - 1).argMax().getLong();
      }
      if (next == TokenIds.EOS) {
        break;
      }
      ids[length++] = next;
    }
    return Arrays.copyOfRange(ids, promptIds.length, length);
  }
}
