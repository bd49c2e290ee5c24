package io.llavascale.model.metrics;

/** Right answers out of those scored. */
public record Tally(int correct, int total) {
  public static final Tally EMPTY = new Tally(0, 0);

  public double accuracy() {
    return total == 0 ? 0 : (double) correct / total;
  }

  Tally plus(boolean right) {
    return new Tally(correct + (right ? 1 : 0), total + 1);
  }
}
