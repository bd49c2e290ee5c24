package io.llavascale.activities.report.chart;

import java.util.List;

/** The parts every chart shares: plot area, title, axes with ticks, legend, colours. */
final class Frame {
  static final int WIDTH = 640;
  static final int HEIGHT = 360;
  static final double LEFT = 64;
  static final double RIGHT = WIDTH - 150;
  static final double TOP = 36;
  static final double BOTTOM = HEIGHT - 48;
  private static final List<String> PALETTE = List.of(
      "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf");

  private Frame() {}

  static String colour(int i) {
    return PALETTE.get(i % PALETTE.size());
  }

  static Svg start(String title) {
    return new Svg(WIDTH, HEIGHT).text(WIDTH / 2.0, 20, title, "middle", 14);
  }

  /** y axis with grid lines and its label. */
  static void yAxis(Svg svg, Scale y, String label) {
    for (double tick : y.ticks()) {
      double py = y.pixel(tick);
      svg.line(LEFT, py, RIGHT, py, "#e0e0e0", 1);
      svg.text(LEFT - 6, py + 4, y.label(tick), "end", 11);
    }
    svg.line(LEFT, TOP, LEFT, BOTTOM, "#333", 1);
    svg.rotatedText(16, (TOP + BOTTOM) / 2, label, 12);
  }

  /** x axis line and its label; the ticks are the chart's own. */
  static void xAxis(Svg svg, String label) {
    svg.line(LEFT, BOTTOM, RIGHT, BOTTOM, "#333", 1);
    svg.text((LEFT + RIGHT) / 2, HEIGHT - 8, label, "middle", 12);
  }

  static void xTick(Svg svg, double px, String label) {
    svg.line(px, BOTTOM, px, BOTTOM + 4, "#333", 1);
    svg.text(px, BOTTOM + 17, label, "middle", 11);
  }

  static void legend(Svg svg, List<String> names) {
    for (int i = 0; i < names.size(); i++) {
      double y = TOP + 8 + i * 18;
      svg.rect(RIGHT + 14, y - 9, 12, 12, colour(i), names.get(i));
      svg.text(RIGHT + 32, y + 1, names.get(i), "start", 11);
    }
  }

  static void empty(Svg svg, String message) {
    svg.text((LEFT + RIGHT) / 2, (TOP + BOTTOM) / 2, message, "middle", 12);
  }
}
