package io.llavascale.activities.report.chart;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Lines or points over a numeric x axis (loss per step, score per GPU-hour), or over named
 * positions (score per model size) when categories are given: x is then the category index.
 */
public final class XyChart {
  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series;
  private final boolean lines;
  private final List<String> categories;

  private XyChart(String title, String xLabel, String yLabel, List<Series> series, boolean lines, List<String> categories) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.series = List.copyOf(series);
    this.lines = lines;
    this.categories = List.copyOf(categories);
  }

  /** Connected lines over numeric x (points drawn too when a series is short). */
  public static XyChart lines(String title, String xLabel, String yLabel, List<Series> series) {
    return new XyChart(title, xLabel, yLabel, series, true, List.of());
  }

  /** Unconnected labelled points over numeric x. */
  public static XyChart scatter(String title, String xLabel, String yLabel, List<Series> series) {
    return new XyChart(title, xLabel, yLabel, series, false, List.of());
  }

  /** Lines over named x positions; a point's x is the index into {@code categories}. */
  public static XyChart overCategories(String title, String xLabel, String yLabel, List<String> categories,
      List<Series> series) {
    return new XyChart(title, xLabel, yLabel, series, true, categories);
  }

  public String svg() {
    Svg svg = Frame.start(title);
    List<Series.Point> all = series.stream().flatMap(s -> s.points().stream())
        .filter(p -> Double.isFinite(p.x()) && Double.isFinite(p.y())).toList();
    Frame.xAxis(svg, xLabel);
    if (all.isEmpty()) {
      Frame.yAxis(svg, new Scale(0, 1, Frame.BOTTOM, Frame.TOP), yLabel);
      Frame.empty(svg, "no data");
      return svg.document();
    }
    Scale y = new Scale(all.stream().mapToDouble(Series.Point::y).min().orElseThrow(),
        all.stream().mapToDouble(Series.Point::y).max().orElseThrow(), Frame.BOTTOM, Frame.TOP);
    Frame.yAxis(svg, y, yLabel);
    XPixels x = categories.isEmpty() ? numeric(svg, all) : categorical(svg);
    for (int i = 0; i < series.size(); i++) {
      draw(svg, series.get(i), x, y, Frame.colour(i));
    }
    Frame.legend(svg, series.stream().map(Series::name).toList());
    return svg.document();
  }

  private interface XPixels {
    double pixel(double x);
  }

  private XPixels numeric(Svg svg, List<Series.Point> all) {
    Scale x = new Scale(all.stream().mapToDouble(Series.Point::x).min().orElseThrow(),
        all.stream().mapToDouble(Series.Point::x).max().orElseThrow(), Frame.LEFT + 10, Frame.RIGHT - 10);
    for (double tick : x.ticks()) {
      Frame.xTick(svg, x.pixel(tick), x.label(tick));
    }
    return x::pixel;
  }

  private XPixels categorical(Svg svg) {
    double slot = (Frame.RIGHT - Frame.LEFT) / categories.size();
    for (int i = 0; i < categories.size(); i++) {
      Frame.xTick(svg, Frame.LEFT + slot * (i + 0.5), categories.get(i));
    }
    return v -> Frame.LEFT + slot * (v + 0.5);
  }

  private void draw(Svg svg, Series s, XPixels x, Scale y, String colour) {
    List<Series.Point> points = s.points();
    if (lines) {
      double[] xs = new double[points.size()];
      double[] ys = new double[points.size()];
      for (int i = 0; i < points.size(); i++) {
        xs[i] = x.pixel(points.get(i).x());
        ys[i] = Double.isFinite(points.get(i).y()) ? y.pixel(points.get(i).y()) : Double.NaN;
      }
      svg.polyline(xs, ys, colour);
    }
    // Long curves are lines only; short series and scatters show each point with its tooltip.
    if (!lines || points.size() <= 40) {
      List<Series.Point> finite = new ArrayList<>();
      points.stream().filter(p -> Double.isFinite(p.y())).forEach(finite::add);
      for (Series.Point p : finite) {
        String tip = s.name() + (p.label().isEmpty() ? "" : " " + p.label())
            + String.format(Locale.ROOT, ": %.4g", p.y());
        svg.circle(x.pixel(p.x()), y.pixel(p.y()), 3.5, colour, tip);
        if (!lines && !p.label().isEmpty()) {
          svg.text(x.pixel(p.x()) + 5, y.pixel(p.y()) - 5, p.label(), "start", 9);
        }
      }
    }
  }
}
