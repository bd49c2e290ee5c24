package io.llavascale.model.decode;

import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TokenIds;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy decoding (temperature 0, beam 1): run the whole sequence, append the most likely next
 * token, repeat.
 */
public final class GreedyDecoder {
  private GreedyDecoder() {}

  /**
   * @param image        3 x S x S pixels, or null for a text-only prompt
   * @param promptIds    the prompt, with one {@code <image>} token when image is given
   * @return the new tokens, without the EOS that ended them; stops early at EOS or maxSeqLen
   */
  public static int[] generate(TinyLlava model, float[] image, int[] promptIds, int maxNewTokens) {
    int[] ids = Arrays.copyOf(promptIds, promptIds.length + maxNewTokens);
    int length = promptIds.length;
    for (int produced = 0; produced < maxNewTokens; produced++) {
      if (!TokenLogProbs.hasRoom(model, image != null, length)) {
        break;
      }
      int next = argMax(TokenLogProbs.next(model, image, List.of(Arrays.copyOf(ids, length)))[0]);
      if (next == TokenIds.EOS) {
        break;
      }
      ids[length++] = next;
    }
    return Arrays.copyOfRange(ids, promptIds.length, length);
  }

  /** Index of the largest value; the lowest index on ties, as torch's argmax. */
  static int argMax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
