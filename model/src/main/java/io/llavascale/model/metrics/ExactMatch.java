package io.llavascale.model.metrics;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exact-match accuracy after light normalisation (lowercase, trim, collapse whitespace, drop
 * trailing punctuation), overall and per question category.
 */
public final class ExactMatch {
  /** Correct and total answers in one category. */
  public record Tally(int correct, int total) {
    public double accuracy() {
      return total == 0 ? 0 : (double) correct / total;
    }

    Tally plus(boolean right) {
      return new Tally(correct + (right ? 1 : 0), total + 1);
    }
  }

  private Tally overall = new Tally(0, 0);
  private final Map<String, Tally> byCategory = new TreeMap<>();

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
    overall = overall.plus(right);
    byCategory.put(category, byCategory.getOrDefault(category, new Tally(0, 0)).plus(right));
    return right;
  }

  public Tally overall() {
    return overall;
  }

  /** Categories in name order. */
  public Map<String, Tally> byCategory() {
    return Collections.unmodifiableMap(byCategory);
  }
}
