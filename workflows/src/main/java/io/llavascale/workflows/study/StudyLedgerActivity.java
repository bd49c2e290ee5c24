package io.llavascale.workflows.study;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The study's result in the run bucket (llava-cpu). */
@ActivityInterface
public interface StudyLedgerActivity {
  /** Writes studies/&lt;studyId&gt;/study.json (reportUri set to its own URI) and returns that URI. */
  @ActivityMethod(name = "WriteStudyReport")
  String writeStudyReport(StudyReport report);
}
