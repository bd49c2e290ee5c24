package io.llavascale.model.decode;

import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TokenIds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Answers a multiple-choice prompt by ranking its options: each option's text, closed by EOS, is
 * scored as the answer to the prompt with the beam's length-normalised log-probability, all options
 * in one forward pass. Ranking the option text rather than its letter suits a word tokenizer built
 * from the training text, which need not know the letters B, C or D.
 */
public final class OptionRanker {
  /**
   * @param best   index of the most likely option (the first on ties)
   * @param scores mean log-probability per token of each option, EOS included
   */
  public record Ranking(int best, double[] scores) {}

  private OptionRanker() {}

  /**
   * @param promptIds the prompt up to where the answer starts
   * @param options   each option's token ids, without EOS
   */
  public static Ranking rank(TinyLlava model, float[] image, int[] promptIds, List<int[]> options) {
    List<int[]> answers = new ArrayList<>();
    for (int[] option : options) {
      int[] answer = Arrays.copyOf(option, option.length + 1);
      answer[option.length] = TokenIds.EOS;
      answers.add(answer);
    }
    double[] sums = TokenLogProbs.continuations(model, image, promptIds, answers);
    double[] scores = new double[sums.length];
    int best = 0;
    for (int i = 0; i < sums.length; i++) {
      scores[i] = sums[i] / answers.get(i).length;
      if (scores[i] > scores[best]) {
        best = i;
      }
    }
    return new Ranking(best, scores);
  }
}
