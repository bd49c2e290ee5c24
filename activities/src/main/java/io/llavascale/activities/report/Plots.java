package io.llavascale.activities.report;

import io.llavascale.activities.report.chart.BarChart;
import io.llavascale.activities.report.chart.Series;
import io.llavascale.activities.report.chart.XyChart;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Which charts a report has, drawn from its content: loss curves, per-category bars, and for studies the scaling plots. */
final class Plots {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([bBmM])");
  /** The grid's coordinates other than size, in the order a series name lists them. */
  private static final List<Map.Entry<String, Function<ReportContent.Cell, Object>>> AXES = List.of(
      Map.entry("", ReportContent.Cell::tuning),
      Map.entry("px", ReportContent.Cell::resolution),
      Map.entry("mix ", ReportContent.Cell::mixRatio),
      Map.entry("beams ", ReportContent.Cell::beams));

  private Plots() {}

  static List<Plot> of(ReportContent content) {
    List<Plot> plots = new ArrayList<>();
    plots.addAll(lossCurves(content));
    plots.addAll(categoryBars(content));
    if (content.kind().equals(ReportContent.STUDY)) {
      for (String benchmark : scoredBenchmarks(content)) {
        plots.add(scoreVsSize(content, benchmark));
        plots.add(scoreVsGpuHours(content, benchmark));
      }
    }
    return plots;
  }

  private static List<Plot> lossCurves(ReportContent content) {
    Map<String, Map<String, List<Series.Point>>> byStage = new LinkedHashMap<>();
    for (ReportContent.LossPoint p : content.losses()) {
      byStage.computeIfAbsent(p.stage(), s -> new LinkedHashMap<>())
          .computeIfAbsent(p.cell(), c -> new ArrayList<>())
          .add(new Series.Point(p.step(), p.loss(), "step " + p.step()));
    }
    List<Plot> plots = new ArrayList<>();
    byStage.forEach((stage, cells) -> {
      List<Series> series = cells.entrySet().stream().map(e -> new Series(e.getKey(), e.getValue())).toList();
      String title = "Training loss, " + stage;
      plots.add(new Plot("plots/loss-" + stage + ".svg", title,
          XyChart.lines(title, "step", "loss", series).svg()));
    });
    return plots;
  }

  private static List<Plot> categoryBars(ReportContent content) {
    Map<String, List<ReportContent.CategoryScore>> byBenchmark = content.categories().stream()
        .collect(Collectors.groupingBy(ReportContent.CategoryScore::benchmark, LinkedHashMap::new, Collectors.toList()));
    List<Plot> plots = new ArrayList<>();
    byBenchmark.forEach((benchmark, scores) -> {
      List<String> categories = scores.stream().map(ReportContent.CategoryScore::category).distinct().sorted().toList();
      Map<String, Map<String, Double>> byCell = new LinkedHashMap<>();
      scores.forEach(s -> byCell.computeIfAbsent(s.cell(), c -> new LinkedHashMap<>()).put(s.category(), s.score()));
      List<BarChart.Bars> bars = byCell.entrySet().stream()
          .map(e -> new BarChart.Bars(e.getKey(),
              categories.stream().map(c -> e.getValue().getOrDefault(c, Double.NaN)).toList()))
          .toList();
      String title = benchmark + " per category";
      plots.add(new Plot("plots/categories-" + benchmark + ".svg", title,
          new BarChart(title, benchmark.equals(ContentBuilder.LLAVA_BENCH) ? "relative score" : "accuracy (%)",
              categories, bars).svg()));
    });
    return plots;
  }

  private static Plot scoreVsSize(ReportContent content, String benchmark) {
    List<ReportContent.Cell> scored = scored(content, benchmark);
    List<String> sizes = scored.stream().map(ReportContent.Cell::modelSize).distinct()
        .sorted(Comparator.comparingDouble(Plots::parameters)).toList();
    Map<String, List<Series.Point>> series = new LinkedHashMap<>();
    for (ReportContent.Cell c : scored) {
      series.computeIfAbsent(variant(content, c), v -> new ArrayList<>())
          .add(new Series.Point(sizes.indexOf(c.modelSize()), score(c, benchmark), c.cell()));
    }
    series.values().forEach(points -> points.sort(Comparator.comparingDouble(Series.Point::x)));
    String title = benchmark + " vs model size";
    return new Plot("plots/size-" + benchmark + ".svg", title,
        XyChart.overCategories(title, "model size", label(benchmark), sizes, named(series)).svg());
  }

  private static Plot scoreVsGpuHours(ReportContent content, String benchmark) {
    Map<String, List<Series.Point>> series = new LinkedHashMap<>();
    for (ReportContent.Cell c : scored(content, benchmark)) {
      series.computeIfAbsent(variant(content, c), v -> new ArrayList<>())
          .add(new Series.Point(c.gpuHours(), score(c, benchmark), c.cell()));
    }
    String title = benchmark + " vs GPU-hours";
    return new Plot("plots/gpu-hours-" + benchmark + ".svg", title,
        XyChart.scatter(title, "GPU-hours", label(benchmark), named(series)).svg());
  }

  private static List<Series> named(Map<String, List<Series.Point>> series) {
    return series.entrySet().stream().map(e -> new Series(e.getKey(), e.getValue())).toList();
  }

  /** Benchmarks at least one completed cell has a score for, in the tables' order. */
  static List<String> scoredBenchmarks(ReportContent content) {
    return List.of(ContentBuilder.EXACT_MATCH, ContentBuilder.MMBENCH, ContentBuilder.LLAVA_BENCH, ContentBuilder.MMLU)
        .stream().filter(b -> !scored(content, b).isEmpty()).toList();
  }

  private static List<ReportContent.Cell> scored(ReportContent content, String benchmark) {
    return content.cells().stream().filter(c -> score(c, benchmark) != null).toList();
  }

  static Double score(ReportContent.Cell c, String benchmark) {
    return switch (benchmark) {
      case ContentBuilder.EXACT_MATCH -> c.exactMatch();
      case ContentBuilder.MMBENCH -> c.mmbench();
      case ContentBuilder.LLAVA_BENCH -> c.llavaBench();
      case ContentBuilder.MMLU -> c.mmlu();
      default -> throw new IllegalArgumentException("unknown benchmark " + benchmark);
    };
  }

  private static String label(String benchmark) {
    return benchmark.equals(ContentBuilder.LLAVA_BENCH) ? "relative score" : benchmark + " (%)";
  }

  /** A series is a line of cells that differ only in size: named by the coordinates that vary across the study. */
  private static String variant(ReportContent content, ReportContent.Cell cell) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Function<ReportContent.Cell, Object>> axis : AXES) {
      boolean varies = content.cells().stream().map(axis.getValue()).collect(Collectors.toCollection(LinkedHashSet::new))
          .size() > 1;
      if (varies) {
        Object v = axis.getValue().apply(cell);
        parts.add(axis.getKey().equals("px") ? v + "px" : axis.getKey() + v);
      }
    }
    return parts.isEmpty() ? "all cells" : String.join(", ", parts);
  }

  /** Parameters a size name stands for (7b, 350m); names without a number (tiny) sort first. */
  private static double parameters(String size) {
    Matcher m = SIZE.matcher(Objects.toString(size, ""));
    if (!m.find()) {
      return 0;
    }
    double n = Double.parseDouble(m.group(1));
    return m.group(2).toLowerCase(Locale.ROOT).equals("b") ? n * 1e9 : n * 1e6;
  }
}
