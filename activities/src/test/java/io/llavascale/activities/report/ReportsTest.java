package io.llavascale.activities.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llavascale.activities.ledger.RunLedgerActivityImpl;
import io.llavascale.activities.store.StageMetrics;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.activities.testing.LocalFolderObjectStore;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.pipeline.StageStatus;
import io.llavascale.workflows.spec.PresetCatalog;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.stages.ChoiceResult;
import io.llavascale.workflows.stages.EvalResult;
import io.llavascale.workflows.stages.JudgedResult;
import io.llavascale.workflows.stages.StageNames;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** Run and study reports from fixture files in a bucket: every plot referenced and valid, every cell in the data. */
class ReportsTest {
  private static final Pattern IMG = Pattern.compile("<img src=\"([^\"]+)\"");

  @TempDir Path dir;
  private LocalFolderObjectStore store;

  @BeforeEach
  void bucket() throws Exception {
    store = new LocalFolderObjectStore(Files.createDirectories(dir.resolve("bucket")), "test-bucket");
  }

  @Test
  void runReportHasLossCurvesEvaluationTablesAndCategoryBars() throws Exception {
    writeRun("run-a", "tiny-full", 0.42, true);
    ReportFiles files = ReportRenderer.render(new Reports(store).content("run-a"));

    Set<String> plots = checkPlots(files);
    assertEquals(Set.of("plots/loss-stage1.svg", "plots/loss-stage2.svg", "plots/categories-exact-match.svg",
        "plots/categories-mmbench.svg", "plots/categories-llava-bench.svg", "plots/categories-mmlu.svg"), plots);
    String html = text(files, ReportFiles.INDEX);
    assertTrue(html.contains("<td>42.0</td>"), "exact match as a percentage: " + html);
    assertTrue(html.contains("circular; first pass"), "MMBench's evaluation row");
    JsonNode json = StageOutputs.DEFAULT_MAPPER.readTree(files.files().get(ReportFiles.JSON));
    assertEquals("run", json.get("kind").asText());
    assertEquals(2 * 12, json.get("losses").size(), "every logged step of both stages");
    assertEquals(1 + 12 + 12, text(files, "losses.csv").split("\r\n").length);
    assertTrue(text(files, "evaluations.csv").contains("run-a,llava-bench,3,"), text(files, "evaluations.csv"));

    // The copy the ledger publishes at the end of a run.
    new RunLedgerActivityImpl(store).writeReport("run-b", report("run-b", "tiny-lora", 0.5, true));
    assertTrue(store.size("runs/run-b/report/index.html").isPresent());
    assertTrue(store.size("runs/run-b/report/plots/categories-exact-match.svg").isPresent());
  }

  @Test
  void studyReportHasEveryCellInItsTablesAndTheScalingPlots() throws Exception {
    List<Map<String, Object>> cells = new ArrayList<>();
    double gpuHours = 0;
    int i = 0;
    for (String size : List.of("7b", "13b")) {
      for (String tuning : List.of("full", "lora")) {
        String cell = size + "-" + tuning;
        boolean failed = cell.equals("13b-lora");
        PipelineReport report = failed ? null : writeRun("s-" + cell, "tiny-" + tuning, 0.3 + 0.1 * i++, false);
        gpuHours += report == null ? 0 : report.gpuHours();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("cell", cell);
        c.put("runId", "s-" + cell);
        c.put("status", failed ? "failed" : "completed");
        c.put("modelSize", size);
        c.put("resolution", 336);
        c.put("tuning", tuning);
        c.put("mixRatio", 0.0);
        c.put("beams", 1);
        c.put("error", failed ? "stage2: out of memory" : null);
        c.put("report", report);
        cells.add(c);
      }
    }
    store.putBytes("studies/grid/study.json", StageOutputs.DEFAULT_MAPPER.writeValueAsBytes(Map.of(
        "studyId", "grid", "name", "sizes x tunings", "cells", cells, "gpuHours", gpuHours,
        "reportUri", "s3://test-bucket/studies/grid/study.json")));

    ReportFiles files = ReportRenderer.render(new Reports(store).content("grid"));

    Set<String> plots = checkPlots(files);
    assertTrue(plots.containsAll(Set.of("plots/size-exact-match.svg", "plots/gpu-hours-exact-match.svg",
        "plots/size-mmbench.svg", "plots/loss-stage2.svg", "plots/categories-exact-match.svg")), plots.toString());
    List<String> cellNames = List.of("7b-full", "7b-lora", "13b-full", "13b-lora");
    String csv = text(files, "cells.csv");
    String[] rows = csv.split("\r\n");
    assertEquals(5, rows.length, csv);
    assertTrue(rows[0].startsWith("cell,runId,status,modelSize,resolution,mixRatio,tuning,beams,exactMatch"), rows[0]);
    JsonNode json = StageOutputs.DEFAULT_MAPPER.readTree(files.files().get(ReportFiles.JSON));
    List<String> jsonCells = new ArrayList<>();
    json.get("cells").forEach(c -> jsonCells.add(c.get("cell").asText()));
    assertEquals(cellNames, jsonCells);
    String html = text(files, ReportFiles.INDEX);
    for (String cell : cellNames) {
      assertTrue(csv.contains("\r\n" + cell + ",s-" + cell + ","), cell + " in " + csv);
      assertTrue(html.contains("<td class=\"text\">" + cell + "</td>"), cell + " in the grid table");
    }
    assertTrue(csv.contains("13b-lora,s-13b-lora,failed,13b,336,0.0,lora,1,,,,,0,0.0,stage2: out of memory"), csv);
    assertTrue(html.contains("Table 3a / Table 4"), html);
    String bySize = text(files, "plots/size-exact-match.svg");
    assertTrue(bySize.indexOf(">7b<") < bySize.indexOf(">13b<"), "sizes in parameter order");
    assertTrue(bySize.contains(">full<") && bySize.contains(">lora<"), "one line per tuning method");

    String index = new Reports(store).publishStudy("grid");
    assertEquals("s3://test-bucket/studies/grid/report/index.html", index);
    assertTrue(store.size("studies/grid/report/plots/size-exact-match.svg").isPresent());
  }

  @Test
  void anUnknownIdNamesBothPlacesLookedIn() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Reports(store).content("nope"));
    assertTrue(e.getMessage().contains("s3://test-bucket/runs/nope/report.json"), e.getMessage());
    assertTrue(e.getMessage().contains("s3://test-bucket/studies/nope/study.json"), e.getMessage());
  }

  @Test
  void writingTheFolderPutsEveryFileUnderIt() throws Exception {
    writeRun("run-c", "tiny-full", 0.25, true);
    ReportFiles files = ReportRenderer.render(new Reports(store).content("run-c"));
    Path out = dir.resolve("reports/run-c");
    files.writeTo(out);
    for (String name : files.files().keySet()) {
      assertTrue(Files.isRegularFile(out.resolve(name)), name);
    }
  }

  /** Every plot the HTML shows is a file of the report and parses as an SVG document; returns them. */
  private static Set<String> checkPlots(ReportFiles files) throws Exception {
    String html = text(files, ReportFiles.INDEX);
    Set<String> referenced = new TreeSet<>();
    Matcher m = IMG.matcher(html);
    while (m.find()) {
      referenced.add(m.group(1));
    }
    Set<String> plotFiles = files.files().keySet().stream().filter(f -> f.startsWith("plots/"))
        .collect(Collectors.toCollection(TreeSet::new));
    assertFalse(plotFiles.isEmpty());
    assertEquals(plotFiles, referenced, "the page shows every plot and nothing else");
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    for (String plot : plotFiles) {
      Document svg = factory.newDocumentBuilder().parse(new ByteArrayInputStream(files.files().get(plot)));
      assertEquals("svg", svg.getDocumentElement().getLocalName(), plot);
      assertEquals("http://www.w3.org/2000/svg", svg.getDocumentElement().getNamespaceURI(), plot);
    }
    return plotFiles;
  }

  private static String text(ReportFiles files, String name) {
    return new String(files.files().get(name), StandardCharsets.UTF_8);
  }

  /** A finished run's report.json and 12 logged steps per stage. */
  private PipelineReport writeRun(String runId, String preset, double exactMatch, boolean writeReport) {
    PipelineReport report = report(runId, preset, exactMatch, true);
    if (writeReport) {
      store.putBytes("runs/" + runId + "/report.json", json(report));
    }
    for (String stage : List.of(StageNames.ALIGN, StageNames.TUNE)) {
      StageMetrics metrics = StageMetrics.resume(store, runId, stage, 0);
      for (int step = 1; step <= 12; step++) {
        metrics.record(step, 3.0 / step, 1e-3);
      }
      metrics.upload();
    }
    return report;
  }

  static PipelineReport report(String runId, String preset, double exactMatch, boolean benchmarks) {
    RunSpec spec = PresetCatalog.spec(preset);
    EvalResult eval = new EvalResult("s3://test-bucket/runs/" + runId + "/eval/output/", "", 20, exactMatch,
        Map.of("color", exactMatch, "count", exactMatch / 2), 3, 1,
        benchmarks ? new ChoiceResult(10, 40, true, 0.4, 0.6, Map.of("attribute", 0.5, "spatial", 0.3)) : null,
        benchmarks ? new JudgedResult(3, "offline-f1", 55, Map.of("conv", 60.0, "detail", 50.0), 5.5, 10, 6, 0) : null,
        benchmarks ? new ChoiceResult(8, 8, false, 0.25, 0.25, Map.of("science", 0.25)) : null);
    List<StageStatus> stages = List.of(
        new StageStatus(StageNames.DATA_PREP, "completed", 2, 0, 0, "kept all"),
        new StageStatus(StageNames.ALIGN, "completed", 5, 0.01, 1000, "12 steps"),
        new StageStatus(StageNames.TUNE, "completed", 9, 0.02 + exactMatch / 10, 50_000, "12 steps"),
        new StageStatus(StageNames.MERGE, "skipped", 0, 0, 0, "full fine-tuning: nothing to merge"),
        new StageStatus(StageNames.EVALUATE, "completed", 3, 0.001, 0, "20 questions"));
    return new PipelineReport(runId, spec, stages, null, null, null, null, eval,
        stages.stream().mapToDouble(StageStatus::gpuHours).sum(), "");
  }

  private static byte[] json(Object value) {
    try {
      return StageOutputs.DEFAULT_MAPPER.writeValueAsBytes(value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
