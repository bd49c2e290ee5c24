package io.llavascale.activities.report.chart;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A linear axis: data range to pixels, with round tick values. */
final class Scale {
  final double min;
  final double max;
  private final double from;
  private final double to;
  private final double step;

  /** @param from pixel of {@code lo}; @param to pixel of {@code hi} (may be smaller, for y) */
  Scale(double lo, double hi, double from, double to) {
    if (!(hi > lo)) {
      double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
      lo -= pad;
      hi += pad;
    }
    this.step = niceStep((hi - lo) / 5);
    this.min = Math.floor(lo / step) * step;
    this.max = Math.ceil(hi / step) * step;
    this.from = from;
    this.to = to;
  }

  double pixel(double value) {
    return from + (value - min) / (max - min) * (to - from);
  }

  List<Double> ticks() {
    List<Double> ticks = new ArrayList<>();
    for (double v = min; v <= max + step / 2; v += step) {
      ticks.add(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return ticks;
  }

  String label(double value) {
    if (step >= 1 && Math.abs(value) < 1e6) {
      return String.format(Locale.ROOT, "%.0f", value);
    }
    if (Math.abs(value) >= 1e6 || step < 1e-3) {
      return String.format(Locale.ROOT, "%.2g", value);
    }
    int decimals = (int) Math.max(0, Math.ceil(-Math.log10(step)));
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }

  private static double niceStep(double raw) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double fraction = raw / magnitude;
    double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
    return nice * magnitude;
  }
}
