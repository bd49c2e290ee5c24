package io.llavascale.activities.report;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The report's index.html: self-contained (inline CSS, no scripts, nothing fetched), plots referenced as local files. */
final class HtmlPage {
  private static final String STYLE = """
      body{font-family:sans-serif;margin:2em;color:#222}
      table{border-collapse:collapse;margin:0.5em 0 1.5em}
      th,td{border:1px solid #ccc;padding:3px 8px;text-align:right;font-size:13px}
      th{background:#f3f3f3}td.text{text-align:left}
      tr.failed td{background:#fdecea}
      figure{display:inline-block;margin:0.5em}figcaption{font-size:12px;color:#555}
      """;

  private HtmlPage() {}

  static String render(ReportContent c, List<Plot> plots, List<String> dataFiles) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(esc(c.title())).append("</title><style>").append(STYLE).append("</style></head><body>\n");
    h.append("<h1>").append(esc(c.title())).append("</h1>\n");
    h.append(String.format(Locale.ROOT, "<p>%s <code>%s</code>: %d %s, %d completed, %.4f GPU-hours in all."
            + " Scores are percentages (LLaVA-Bench: relative score).</p>%n",
        c.kind(), esc(c.id()), c.cells().size(), c.cells().size() == 1 ? "run" : "cells",
        c.cells().stream().filter(x -> x.status().equals("completed")).count(), c.gpuHours()));

    h.append(c.kind().equals(ReportContent.STUDY)
        ? "<h2>Grid: the paper's Table 3a / Table 4 analogue</h2>\n" : "<h2>Run</h2>\n");
    cellTable(h, c.cells());

    if (!c.evaluations().isEmpty()) {
      h.append("<h2>Evaluation</h2>\n");
      table(h, c.evaluations(), List.of(
          col("cell", ReportContent.Evaluation::cell, true),
          col("benchmark", ReportContent.Evaluation::benchmark, true),
          col("questions", ReportContent.Evaluation::questions, false),
          col("score", e -> pct(e.score()), false),
          col("how", ReportContent.Evaluation::detail, true)), e -> "");
    }

    if (!plots.isEmpty()) {
      h.append("<h2>Plots</h2>\n");
      for (Plot p : plots) {
        h.append("<figure><img src=\"").append(esc(p.file())).append("\" alt=\"").append(esc(p.title()))
            .append("\" width=\"640\" height=\"360\"><figcaption>").append(esc(p.title()))
            .append("</figcaption></figure>\n");
      }
    }

    if (!c.stages().isEmpty()) {
      h.append("<h2>Stages</h2>\n");
      table(h, c.stages(), List.of(
          col("cell", ReportContent.Stage::cell, true),
          col("stage", ReportContent.Stage::stage, true),
          col("status", ReportContent.Stage::status, true),
          col("seconds", s -> String.format(Locale.ROOT, "%.1f", s.seconds()), false),
          col("GPU-hours", s -> String.format(Locale.ROOT, "%.4f", s.gpuHours()), false),
          col("trainable params", ReportContent.Stage::trainableParams, false),
          col("detail", ReportContent.Stage::detail, true)), s -> s.status().equals("failed") ? "failed" : "");
    }

    h.append("<h2>Data</h2>\n<ul>\n");
    for (String f : dataFiles) {
      h.append("<li><a href=\"").append(esc(f)).append("\">").append(esc(f)).append("</a></li>\n");
    }
    h.append("</ul>\n</body></html>\n");
    return h.toString();
  }

  private static void cellTable(StringBuilder h, List<ReportContent.Cell> cells) {
    table(h, cells, List.of(
        col("cell", ReportContent.Cell::cell, true),
        col("run", ReportContent.Cell::runId, true),
        col("status", ReportContent.Cell::status, true),
        col("size", ReportContent.Cell::modelSize, true),
        col("resolution", ReportContent.Cell::resolution, false),
        col("mix", ReportContent.Cell::mixRatio, false),
        col("tuning", ReportContent.Cell::tuning, true),
        col("beams", ReportContent.Cell::beams, false),
        col("exact match", x -> pct(x.exactMatch()), false),
        col("MMBench", x -> pct(x.mmbench()), false),
        col("LLaVA-Bench", x -> pct(x.llavaBench()), false),
        col("MMLU", x -> pct(x.mmlu()), false),
        col("trainable params", ReportContent.Cell::trainableParams, false),
        col("GPU-hours", x -> String.format(Locale.ROOT, "%.4f", x.gpuHours()), false),
        col("error", ReportContent.Cell::error, true)), x -> x.status().equals("completed") ? "" : "failed");
  }

  private record Column<T>(String name, Function<T, Object> value, boolean text) {}

  private static <T> Column<T> col(String name, Function<T, Object> value, boolean text) {
    return new Column<>(name, value, text);
  }

  private static <T> void table(StringBuilder h, List<T> rows, List<Column<T>> columns, Function<T, String> rowClass) {
    h.append("<table><tr>");
    columns.forEach(c -> h.append("<th>").append(esc(c.name())).append("</th>"));
    h.append("</tr>\n");
    for (T row : rows) {
      String cls = rowClass.apply(row);
      h.append(cls.isEmpty() ? "<tr>" : "<tr class=\"" + cls + "\">");
      for (Column<T> c : columns) {
        Object v = c.value().apply(row);
        h.append(c.text() ? "<td class=\"text\">" : "<td>").append(esc(v == null ? "" : v.toString())).append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n");
  }

  private static String pct(Double v) {
    return v == null ? "" : String.format(Locale.ROOT, "%.1f", v);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
