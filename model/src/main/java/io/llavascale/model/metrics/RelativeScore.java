package io.llavascale.model.metrics;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * LLaVA-Bench's relative score: a judge scores the model's answer and the reference answer 1-10
 * for every question; the score is mean(model) / mean(reference) x 100, per category and overall
 * (LLaVA's {@code summarize_gpt_review.py}).
 */
public final class RelativeScore {
  /**
   * @param relative mean(model) / mean(reference) x 100 (0 when the references scored 0)
   */
  public record Summary(int questions, double modelMean, double referenceMean, double relative) {}

  private final Sums overall = new Sums();
  private final Map<String, Sums> byCategory = new TreeMap<>();

  private static final class Sums {
    int n;
    double model;
    double reference;

    void add(double m, double r) {
      n++;
      model += m;
      reference += r;
    }

    Summary summary() {
      double modelMean = n == 0 ? 0 : model / n;
      double referenceMean = n == 0 ? 0 : reference / n;
      return new Summary(n, modelMean, referenceMean, referenceMean == 0 ? 0 : 100 * modelMean / referenceMean);
    }
  }

  public void add(String category, Judgement judgement) {
    overall.add(judgement.model(), judgement.reference());
    byCategory.computeIfAbsent(category, c -> new Sums()).add(judgement.model(), judgement.reference());
  }

  public Summary overall() {
    return overall.summary();
  }

  /** Categories in name order. */
  public Map<String, Summary> byCategory() {
    Map<String, Summary> out = new TreeMap<>();
    byCategory.forEach((category, sums) -> out.put(category, sums.summary()));
    return Collections.unmodifiableMap(out);
  }
}
