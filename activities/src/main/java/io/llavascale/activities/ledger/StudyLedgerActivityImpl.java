package io.llavascale.activities.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.workflows.study.StudyLedgerActivity;
import io.llavascale.workflows.study.StudyReport;
import jakarta.inject.Inject;
import java.io.UncheckedIOException;

/** A study's result in the bucket: studies/&lt;studyId&gt;/study.json. */
public final class StudyLedgerActivityImpl implements StudyLedgerActivity {
  public static final String REPORT = "study.json";

  private final ObjectStore store;

  @Inject
  public StudyLedgerActivityImpl(ObjectStore store) {
    this.store = store;
  }

  /** {@code studies/<studyId>/study.json} */
  public static String reportKey(String studyId) {
    if (studyId == null || studyId.isBlank() || studyId.contains("/")) {
      throw new IllegalArgumentException("invalid studyId '" + studyId + "' for an S3 path");
    }
    return "studies/" + studyId + "/" + REPORT;
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
    return uri;
  }
}
