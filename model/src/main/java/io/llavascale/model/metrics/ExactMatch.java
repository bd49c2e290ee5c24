package io.llavascale.model.metrics;

import java.util.Locale;
import java.util.Map;

/**
 * Exact-match accuracy after light normalisation (lowercase, trim, collapse whitespace, drop
 * trailing punctuation), overall and per question category.
 */
public final class ExactMatch {
  private final CategoryTallies tallies = new CategoryTallies();

  public static String normalize(String text) {
    String s = text.toLowerCase(Locale.ROOT).trim().replaceAll("\\s+", " ");
    return s.replaceAll("[\\p{Punct}\\s]+$", "");
  }

  public static boolean matches(String prediction, String reference) {
    return normalize(prediction).equals(normalize(reference));
  }

  /** Scores one answer and returns whether it matched. */
  public boolean add(String category, String prediction, String reference) {
    boolean right = matches(prediction, reference);
    tallies.add(category, right);
    return right;
  }

  public Tally overall() {
    return tallies.overall();
  }

  /** Categories in name order. */
  public Map<String, Tally> byCategory() {
    return tallies.byCategory();
  }
}
