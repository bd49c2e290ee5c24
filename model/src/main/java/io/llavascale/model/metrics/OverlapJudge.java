package io.llavascale.model.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The offline judge: word-overlap F1 between an answer and the reference (SQuAD's token F1 over
 * lowercased words), scaled to LLaVA's 1-10 (F1 0 -> 1, F1 1 -> 10). Deterministic and free, so
 * the embedded default needs no network; it rewards the reference's words, not reasoning, so its
 * numbers are not comparable with a GPT-4 judge's.
 */
public final class OverlapJudge implements Judge {
  public static final String ID = "offline-f1";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Judgement judge(JudgeRequest request) {
    return new Judgement(scale(f1(request.reference(), request.reference())),
        scale(f1(request.answer(), request.reference())));
  }

  /** Token F1 of answer against reference; 1 when both have no words. */
  public static double f1(String answer, String reference) {
    List<String> a = words(answer);
    List<String> r = words(reference);
    if (a.isEmpty() || r.isEmpty()) {
      return a.isEmpty() && r.isEmpty() ? 1 : 0;
    }
    Map<String, Integer> left = new HashMap<>();
    r.forEach(w -> left.merge(w, 1, Integer::sum));
    int common = 0;
    for (String w : a) {
      Integer n = left.get(w);
      if (n != null && n > 0) {
        common++;
        left.put(w, n - 1);
      }
    }
    if (common == 0) {
      return 0;
    }
    double precision = (double) common / a.size();
    double recall = (double) common / r.size();
    return 2 * precision * recall / (precision + recall);
  }

  private static double scale(double f1) {
    return 1 + 9 * f1;
  }

  private static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }
}
