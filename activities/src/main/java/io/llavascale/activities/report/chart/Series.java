package io.llavascale.activities.report.chart;

import java.util.List;

/**
 * One named line or set of points of an {@link XyChart}.
 *
 * @param name   legend entry
 * @param points in drawing order; a non-finite y leaves a gap
 */
public record Series(String name, List<Point> points) {
  /** @param label shown as the point's tooltip (and next to it, when the chart labels points) */
  public record Point(double x, double y, String label) {}
}
