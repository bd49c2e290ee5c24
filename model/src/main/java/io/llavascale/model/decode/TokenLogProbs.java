package io.llavascale.model.decode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llavascale.model.Autograd;
import io.llavascale.model.llava.LlavaBatch;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TokenIds;
import io.llavascale.model.train.TrainingSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Log-probabilities from one batched forward pass over token sequences that share one image: what
 * every decoder and option ranker is built on. No KV cache; the tiny model re-encodes a few dozen
 * positions per call.
 */
public final class TokenLogProbs {
  private static final int[] NEVER_GENERATED = {TokenIds.PAD, TokenIds.BOS, TokenIds.IMAGE};

  private TokenLogProbs() {}

  /** Whether a sequence of {@code tokens} (one of them {@code <image>} when hasImage) has a position left. */
  public static boolean hasRoom(TinyLlava model, boolean hasImage, int tokens) {
    int expanded = tokens + (hasImage ? model.config().imageTokens() - 1 : 0);
    return expanded < model.config().maxSeqLen();
  }

  /**
   * @param image     3 x S x S pixels, or null for text-only sequences
   * @param sequences token ids, each with one {@code <image>} token when image is given
   * @return [sequence][vocab]: log-probabilities of the token that follows each sequence;
   *     -infinity for the tokens no answer may contain (PAD, BOS, {@code <image>}: a second image
   *     token would not even fit the batch layout)
   */
  public static float[][] next(TinyLlava model, float[] image, List<int[]> sequences) {
    Autograd.offOnThisThread();
    List<TrainingSample> samples = new ArrayList<>();
    for (int[] sequence : sequences) {
      int[] noLabels = new int[sequence.length];
      Arrays.fill(noLabels, TrainingSample.IGNORE);
      samples.add(new TrainingSample("decode", sequence, noLabels, image));
    }
    LlavaBatch batch = LlavaBatch.of(samples, model.config());
    float[][] out = new float[sequences.size()][];
    try (NDManager scope = model.manager().newSubManager()) {
      NDArray logits = model.logits(batch.inputs(scope, model.config()));
      for (int b = 0; b < out.length; b++) {
        out[b] = logits.get(b, batch.lengths()[b] - 1).logSoftmax(0).toFloatArray();
        for (int banned : NEVER_GENERATED) {
          out[b][banned] = Float.NEGATIVE_INFINITY;
        }
      }
    }
    return out;
  }

  /**
   * Scores each continuation after its prompt: the sum of its tokens' log-probabilities, all
   * pairs in one forward pass.
   *
   * @param prompts       one prompt per continuation (the same array may repeat)
   * @param continuations token ids that follow each prompt (include EOS to score a whole answer)
   * @return per continuation, the summed log-probability of its tokens
   * @throws IllegalArgumentException when a prompt and its continuation do not fit in maxSeqLen
   */
  public static double[] continuations(TinyLlava model, float[] image, List<int[]> prompts, List<int[]> continuations) {
    if (prompts.size() != continuations.size()) {
      throw new IllegalArgumentException(prompts.size() + " prompts for " + continuations.size() + " continuations");
    }
    Autograd.offOnThisThread();
    List<TrainingSample> samples = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      int[] prompt = prompts.get(i);
      int[] continuation = continuations.get(i);
      int length = prompt.length + continuation.length;
      if (!hasRoom(model, image != null, length - 1)) {
        throw new IllegalArgumentException("prompt of " + prompt.length + " and continuation of "
            + continuation.length + " tokens exceed maxSeqLen " + model.config().maxSeqLen());
      }
      int[] ids = Arrays.copyOf(prompt, length);
      System.arraycopy(continuation, 0, ids, prompt.length, continuation.length);
      int[] labels = new int[length];
      Arrays.fill(labels, 0, prompt.length, TrainingSample.IGNORE);
      System.arraycopy(continuation, 0, labels, prompt.length, continuation.length);
      samples.add(new TrainingSample("score", ids, labels, image));
    }
    LlavaBatch batch = LlavaBatch.of(samples, model.config());
    double[] sums = new double[continuations.size()];
    try (NDManager scope = model.manager().newSubManager()) {
      float[] logProbs = model.logits(batch.inputs(scope, model.config())).logSoftmax(2).toFloatArray();
      int vocab = model.config().vocabSize();
      long[] targets = batch.targets();
      for (int b = 0; b < sums.length; b++) {
        for (int pos = 0; pos < batch.seqLength(); pos++) {
          long target = targets[b * batch.seqLength() + pos];
          if (target != TrainingSample.IGNORE) {
            sums[b] += logProbs[(b * batch.seqLength() + pos) * vocab + (int) target];
          }
        }
      }
    }
    return sums;
  }
}
