package io.llavascale.activities.report.chart;

import java.util.Locale;

/** A small SVG document builder: what the charts draw with, with text and attributes escaped. */
final class Svg {
  private final StringBuilder body = new StringBuilder();
  private final int width;
  private final int height;

  Svg(int width, int height) {
    this.width = width;
    this.height = height;
  }

  Svg line(double x1, double y1, double x2, double y2, String stroke, double strokeWidth) {
    body.append(String.format(Locale.ROOT,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"/>%n",
        x1, y1, x2, y2, escape(stroke), strokeWidth));
    return this;
  }

  Svg rect(double x, double y, double w, double h, String fill, String tooltip) {
    body.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
        x, y, w, h, escape(fill)));
    body.append("<title>").append(escape(tooltip)).append("</title></rect>\n");
    return this;
  }

  Svg circle(double cx, double cy, double r, String fill, String tooltip) {
    body.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\">",
        cx, cy, r, escape(fill)));
    body.append("<title>").append(escape(tooltip)).append("</title></circle>\n");
    return this;
  }

  /** An open path through the points; a NaN coordinate breaks the line. */
  Svg polyline(double[] xs, double[] ys, String stroke) {
    StringBuilder d = new StringBuilder();
    boolean pen = false;
    for (int i = 0; i < xs.length; i++) {
      if (!Double.isFinite(xs[i]) || !Double.isFinite(ys[i])) {
        pen = false;
        continue;
      }
      d.append(String.format(Locale.ROOT, "%s%.1f %.1f ", pen ? "L" : "M", xs[i], ys[i]));
      pen = true;
    }
    if (d.length() > 0) {
      body.append("<path d=\"").append(d.toString().trim()).append("\" fill=\"none\" stroke=\"")
          .append(escape(stroke)).append("\" stroke-width=\"1.5\"/>\n");
    }
    return this;
  }

  /** @param anchor start | middle | end */
  Svg text(double x, double y, String text, String anchor, int size) {
    body.append(String.format(Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">", x, y, anchor, size));
    body.append(escape(text)).append("</text>\n");
    return this;
  }

  Svg rotatedText(double x, double y, String text, int size) {
    body.append(String.format(Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%d\" transform=\"rotate(-90 %.1f %.1f)\">",
        x, y, size, x, y));
    body.append(escape(text)).append("</text>\n");
    return this;
  }

  String document() {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
            + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n", width, height, width, height)
        + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        + body
        + "</svg>\n";
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
