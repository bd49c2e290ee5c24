package io.llavascale.model.metrics;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** Right / total overall and per question category, categories in name order. */
public final class CategoryTallies {
  private Tally overall = Tally.EMPTY;
  private final Map<String, Tally> byCategory = new TreeMap<>();

  public void add(String category, boolean right) {
    overall = overall.plus(right);
    byCategory.put(category, byCategory.getOrDefault(category, Tally.EMPTY).plus(right));
  }

  public Tally overall() {
    return overall;
  }

  public Map<String, Tally> byCategory() {
    return Collections.unmodifiableMap(byCategory);
  }
}
