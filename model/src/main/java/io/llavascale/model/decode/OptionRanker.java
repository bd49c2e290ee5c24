package io.llavascale.model.decode;

import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TokenIds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Answers multiple-choice prompts by ranking their options: each option's text, closed by EOS, is
 * scored as the answer to its prompt with the beam's length-normalised log-probability. Ranking
 * the option text rather than its letter suits a word tokenizer built from the training text, which
 * need not know the letters B, C or D.
 */
public final class OptionRanker {
  /**
   * @param best   index of the most likely option (the first on ties)
   * @param scores mean log-probability per token of each option, EOS included
   */
  public record Ranking(int best, double[] scores) {}

  private OptionRanker() {}

  /**
   * Ranks the options of several askings (a question's rotations, say) in one forward pass.
   *
   * @param prompts each asking's prompt, up to where the answer starts
   * @param options each asking's options as token ids, without EOS
   * @return one ranking per asking, in order
   */
  public static List<Ranking> rank(TinyLlava model, float[] image, List<int[]> prompts, List<List<int[]>> options) {
    List<int[]> pairedPrompts = new ArrayList<>();
    List<int[]> answers = new ArrayList<>();
    for (int a = 0; a < prompts.size(); a++) {
      for (int[] option : options.get(a)) {
        int[] answer = Arrays.copyOf(option, option.length + 1);
        answer[option.length] = TokenIds.EOS;
        pairedPrompts.add(prompts.get(a));
        answers.add(answer);
      }
    }
    double[] sums = TokenLogProbs.continuations(model, image, pairedPrompts, answers);
    List<Ranking> rankings = new ArrayList<>();
    int at = 0;
    for (List<int[]> asked : options) {
      double[] scores = new double[asked.size()];
      int best = 0;
      for (int i = 0; i < scores.length; i++, at++) {
        scores[i] = sums[at] / answers.get(at).length;
        if (scores[i] > scores[best]) {
          best = i;
        }
      }
      rankings.add(new Ranking(best, scores));
    }
    return rankings;
  }
}
