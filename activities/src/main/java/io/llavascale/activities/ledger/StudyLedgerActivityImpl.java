package io.llavascale.activities.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.llavascale.activities.report.Reports;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.activities.store.StorePaths;
import io.llavascale.workflows.study.StudyLedgerActivity;
import io.llavascale.workflows.study.StudyReport;
import jakarta.inject.Inject;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A study's result in the bucket: studies/&lt;studyId&gt;/study.json, and its HTML report next to it. */
public final class StudyLedgerActivityImpl implements StudyLedgerActivity {
  private static final Logger log = LoggerFactory.getLogger(StudyLedgerActivityImpl.class);

  private final ObjectStore store;

  @Inject
  public StudyLedgerActivityImpl(ObjectStore store) {
    this.store = store;
  }

  /** {@code studies/<studyId>/study.json} */
  public static String reportKey(String studyId) {
    return StorePaths.studyRoot(studyId) + Reports.STUDY_FILE;
  }

  @Override
  public String writeStudyReport(StudyReport report) {
    String key = reportKey(report.studyId());
    String uri = store.uri(key);
    // The file names itself, so a copy of it still says where it came from.
    StudyReport written = new StudyReport(report.studyId(), report.name(), report.cells(), report.gpuHours(), uri);
    try {
      store.putBytes(key, StageOutputs.DEFAULT_MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(written));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    publish(report.studyId());
    return uri;
  }

  /** The HTML report is for people; a failure to render it must not fail the study. */
  private void publish(String studyId) {
    try {
      log.info("study {}: report written to {}", studyId, new Reports(store).publishStudy(studyId));
    } catch (RuntimeException e) {
      log.warn("study {}: HTML report not written: {}", studyId, e.toString());
    }
  }
}
