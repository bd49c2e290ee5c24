package io.llavascale.activities.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.ledger.RunLedgerActivityImpl;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.StageMetrics;
import io.llavascale.activities.store.StorePaths;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.study.StudyCellResult;
import io.llavascale.workflows.study.StudyReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reports from what runs and studies left in the bucket: a run's report.json and its stages'
 * metrics.jsonl, a study's study.json and the same for each of its cells' runs.
 */
public final class Reports {
  /** Where a study's workflow writes its result: {@code studies/<studyId>/study.json}. */
  public static final String STUDY_FILE = "study.json";
  /** Folder of a run's or study's report copy in the bucket, next to its json. */
  public static final String FOLDER = "report/";

  private static final ObjectMapper JSON = StageOutputs.DEFAULT_MAPPER;

  private final ObjectStore store;

  public Reports(ObjectStore store) {
    this.store = store;
  }

  /** The report of the run or study with this id, whichever the bucket holds. */
  public ReportContent content(String id) {
    Optional<PipelineReport> run = RunLedgerActivityImpl.readReport(store, id);
    if (run.isPresent()) {
      return runContent(run.get());
    }
    String studyKey = StorePaths.studyRoot(id) + STUDY_FILE;
    if (store.size(studyKey).isPresent()) {
      return studyContent(readStudy(studyKey));
    }
    throw new IllegalArgumentException("no run or study " + id + ": neither "
        + store.uri(StorePaths.runRoot(id) + RunLedgerActivityImpl.REPORT) + " nor " + store.uri(studyKey) + " exists");
  }

  /** Renders a run's report into runs/&lt;runId&gt;/report/ and returns the index page's URI. */
  public String publishRun(PipelineReport report) {
    return ReportRenderer.render(runContent(report)).upload(store, StorePaths.runRoot(report.runId()) + FOLDER);
  }

  /** Renders a study's report (from its study.json) into studies/&lt;studyId&gt;/report/; returns the index page's URI. */
  public String publishStudy(String studyId) {
    ReportContent content = studyContent(readStudy(StorePaths.studyRoot(studyId) + STUDY_FILE));
    return ReportRenderer.render(content).upload(store, StorePaths.studyRoot(studyId) + FOLDER);
  }

  private ReportContent runContent(PipelineReport report) {
    CellSource cell = CellSource.ofRun(report, metrics(report.runId()));
    return ContentBuilder.build(ReportContent.RUN, report.runId(), "Run " + report.runId()
        + (report.spec().preset() == null || report.spec().preset().isEmpty() ? "" : " (" + report.spec().preset() + ")"),
        report.gpuHours(), List.of(cell));
  }

  private ReportContent studyContent(StudyReport study) {
    List<CellSource> cells = new ArrayList<>();
    for (StudyCellResult c : study.cells() == null ? List.<StudyCellResult>of() : study.cells()) {
      Map<String, List<StageMetrics.Point>> metrics = c.runId() == null || c.runId().isBlank() ? Map.of() : metrics(c.runId());
      cells.add(new CellSource(c.cell(), c.runId(), c.status(), c.modelSize(), c.resolution(), c.tuning(),
          c.mixRatio(), c.beams(), c.error(), c.report(), metrics));
    }
    String name = study.name() == null || study.name().isBlank() ? "" : " (" + study.name() + ")";
    return ContentBuilder.build(ReportContent.STUDY, study.studyId(), "Study " + study.studyId() + name,
        study.gpuHours(), cells);
  }

  private Map<String, List<StageMetrics.Point>> metrics(String runId) {
    Map<String, List<StageMetrics.Point>> byStage = new LinkedHashMap<>();
    for (String stage : List.of(StageNames.ALIGN, StageNames.TUNE)) {
      List<StageMetrics.Point> points = StageMetrics.read(store, runId, stage);
      if (!points.isEmpty()) {
        byStage.put(stage, points);
      }
    }
    return byStage;
  }

  private StudyReport readStudy(String key) {
    try {
      return JSON.readValue(store.getBytes(key), StudyReport.class);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + store.uri(key), e);
    }
  }
}
