package io.llavascale.activities.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.llavascale.activities.store.StageOutputs;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a report's content into its folder: index.html, report.json, one CSV per table, plots/*.svg. */
public final class ReportRenderer {
  private ReportRenderer() {}

  public static ReportFiles render(ReportContent content) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(ReportFiles.JSON, json(content));
    data.put("cells.csv", Csv.of(ReportContent.Cell.class, content.cells()));
    data.put("evaluations.csv", Csv.of(ReportContent.Evaluation.class, content.evaluations()));
    data.put("categories.csv", Csv.of(ReportContent.CategoryScore.class, content.categories()));
    data.put("stages.csv", Csv.of(ReportContent.Stage.class, content.stages()));
    data.put("losses.csv", Csv.of(ReportContent.LossPoint.class, content.losses()));
    List<Plot> plots = Plots.of(content);

    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(ReportFiles.INDEX, utf8(HtmlPage.render(content, plots, List.copyOf(data.keySet()))));
    data.forEach((name, text) -> files.put(name, utf8(text)));
    plots.forEach(p -> files.put(p.file(), utf8(p.svg())));
    return new ReportFiles(files);
  }

  private static String json(ReportContent content) {
    try {
      return StageOutputs.DEFAULT_MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(content);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
