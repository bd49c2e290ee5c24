package io.llavascale.model.decode;

import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TokenIds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Beam search (LLaVA's {@code --num_beams}) with length-normalised scores: a beam's score is its
 * mean log-probability per generated token, the closing EOS counted, so short answers are not
 * favoured just for being short. DJL's own beam search returns unsorted beams without scores and a
 * fixed EOS, hence this one.
 *
 * <p>Each step extends every live beam by its most likely tokens and keeps the best candidates,
 * one per free slot; a candidate that ends in EOS is finished and keeps its slot without being
 * extended. The search ends when every slot holds a finished beam, at maxNewTokens, or when the
 * sequence reaches the model's maxSeqLen (beams still live then are returned unfinished).
 *
 * <p>Plain beam search can prune the greedy path early and end below it. The greedy path is
 * therefore followed alongside (it shares a row of the batch whenever it is one of the beams,
 * which is most of the time) and competes in the final ranking, so the best beam of any width is
 * never less likely, by the normalised score, than beam 1's answer.
 */
public final class BeamSearchDecoder {
  /**
   * One answer.
   *
   * @param tokens   new tokens, without the EOS
   * @param logProb  summed log-probability of the tokens, and of the EOS when finished
   * @param finished ended with EOS; otherwise cut off by maxNewTokens or maxSeqLen
   */
  public record Beam(int[] tokens, double logProb, boolean finished) {
    /** Generated tokens, the EOS included. */
    public int length() {
      return tokens.length + (finished ? 1 : 0);
    }

    /** Length-normalised log-probability: what beams are ranked by. */
    public double score() {
      return length() == 0 ? 0 : logProb / length();
    }

    Beam extend(int token, float tokenLogProb) {
      if (token == TokenIds.EOS) {
        return new Beam(tokens, logProb + tokenLogProb, true);
      }
      int[] longer = Arrays.copyOf(tokens, tokens.length + 1);
      longer[tokens.length] = token;
      return new Beam(longer, logProb + tokenLogProb, false);
    }

    boolean sameAs(Beam other) {
      return finished == other.finished && Arrays.equals(tokens, other.tokens);
    }
  }

  private static final Comparator<Beam> BEST_FIRST = Comparator.comparingDouble(Beam::score).reversed();

  private BeamSearchDecoder() {}

  /**
   * @param image     3 x S x S pixels, or null for a text-only prompt
   * @param promptIds the prompt, with one {@code <image>} token when image is given
   * @param width     beams kept (1 = greedy)
   * @return up to {@code width} distinct beams, best score first
   */
  public static List<Beam> search(TinyLlava model, float[] image, int[] promptIds, int width, int maxNewTokens) {
    if (width < 1) {
      throw new IllegalArgumentException("beam width must be >= 1, got " + width);
    }
    List<Beam> live = new ArrayList<>(List.of(new Beam(new int[0], 0, false)));
    List<Beam> finished = new ArrayList<>();
    Beam greedy = live.get(0);
    for (int step = 0; step < maxNewTokens && (!live.isEmpty() || !greedy.finished()); step++) {
      if (!TokenLogProbs.hasRoom(model, image != null, promptIds.length + step)) {
        break;
      }
      List<Beam> rows = new ArrayList<>(live);
      int greedyRow = indexOf(rows, greedy);
      if (!greedy.finished() && greedyRow < 0) {
        rows.add(greedy);
        greedyRow = rows.size() - 1;
      }
      float[][] logProbs = TokenLogProbs.next(model, image, rows.stream().map(b -> concat(promptIds, b.tokens())).toList());
      if (!greedy.finished()) {
        int next = GreedyDecoder.argMax(logProbs[greedyRow]);
        greedy = greedy.extend(next, logProbs[greedyRow][next]);
      }
      int slots = width - finished.size();
      List<Beam> candidates = new ArrayList<>();
      for (int row = 0; row < live.size(); row++) {
        for (int token : topK(logProbs[row], slots)) {
          candidates.add(live.get(row).extend(token, logProbs[row][token]));
        }
      }
      // Live beams all have the same length here, so the summed log-probability ranks them as
      // the normalised score would; the sort is stable, so ties keep row and token order.
      candidates.sort(Comparator.comparingDouble(Beam::logProb).reversed());
      live = new ArrayList<>();
      for (Beam candidate : candidates.subList(0, Math.min(slots, candidates.size()))) {
        (candidate.finished() ? finished : live).add(candidate);
      }
    }
    List<Beam> all = new ArrayList<>(finished);
    all.addAll(live);
    if (indexOf(all, greedy) < 0) {
      all.add(greedy);
    }
    all.sort(BEST_FIRST);
    return List.copyOf(all.subList(0, Math.min(width, all.size())));
  }

  private static int indexOf(List<Beam> beams, Beam beam) {
    for (int i = 0; i < beams.size(); i++) {
      if (beams.get(i).sameAs(beam)) {
        return i;
      }
    }
    return -1;
  }

  /** Indices of the k largest values, largest first, lower index first on ties. */
  static int[] topK(float[] values, int k) {
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(values[b], values[a]));
    int[] top = new int[Math.min(k, values.length)];
    for (int i = 0; i < top.length; i++) {
      top[i] = order[i];
    }
    return top;
  }

  private static int[] concat(int[] prompt, int[] tokens) {
    int[] ids = Arrays.copyOf(prompt, prompt.length + tokens.length);
    System.arraycopy(tokens, 0, ids, prompt.length, tokens.length);
    return ids;
  }
}
