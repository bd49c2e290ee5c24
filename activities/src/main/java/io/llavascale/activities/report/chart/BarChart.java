package io.llavascale.activities.report.chart;

import java.util.List;
import java.util.Locale;

/** Grouped bars: one group per category, one bar per series in it (per-category scores). */
public final class BarChart {
  /** @param values one per category, in the chart's category order; NaN = no bar */
  public record Bars(String name, List<Double> values) {}

  private final String title;
  private final String yLabel;
  private final List<String> categories;
  private final List<Bars> series;

  public BarChart(String title, String yLabel, List<String> categories, List<Bars> series) {
    for (Bars bars : series) {
      if (bars.values().size() != categories.size()) {
        throw new IllegalArgumentException("series " + bars.name() + " has " + bars.values().size()
            + " values for " + categories.size() + " categories");
      }
    }
    this.title = title;
    this.yLabel = yLabel;
    this.categories = List.copyOf(categories);
    this.series = List.copyOf(series);
  }

  public String svg() {
    Svg svg = Frame.start(title);
    Frame.xAxis(svg, "");
    double top = series.stream().flatMap(b -> b.values().stream()).filter(Double::isFinite)
        .mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    if (categories.isEmpty() || series.isEmpty() || Double.isNaN(top)) {
      Frame.yAxis(svg, new Scale(0, 1, Frame.BOTTOM, Frame.TOP), yLabel);
      Frame.empty(svg, "no data");
      return svg.document();
    }
    Scale y = new Scale(0, Math.max(top, 1e-9), Frame.BOTTOM, Frame.TOP);
    Frame.yAxis(svg, y, yLabel);
    double slot = (Frame.RIGHT - Frame.LEFT) / categories.size();
    double bar = slot * 0.8 / series.size();
    for (int c = 0; c < categories.size(); c++) {
      double left = Frame.LEFT + slot * c + slot * 0.1;
      Frame.xTick(svg, Frame.LEFT + slot * (c + 0.5), categories.get(c));
      for (int s = 0; s < series.size(); s++) {
        double v = series.get(s).values().get(c);
        if (Double.isFinite(v)) {
          svg.rect(left + bar * s, y.pixel(v), bar * 0.95, Frame.BOTTOM - y.pixel(v), Frame.colour(s),
              series.get(s).name() + " " + categories.get(c) + String.format(Locale.ROOT, ": %.4g", v));
        }
      }
    }
    Frame.legend(svg, series.stream().map(Bars::name).toList());
    return svg.document();
  }
}
