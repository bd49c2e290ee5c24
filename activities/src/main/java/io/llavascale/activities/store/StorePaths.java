package io.llavascale.activities.store;

/** The bucket's layout: everything a run writes lives under {@code runs/<runId>/}, a study's own files under {@code studies/<studyId>/}. */
public final class StorePaths {
  private StorePaths() {}

  /** {@code runs/<runId>/} */
  public static String runRoot(String runId) {
    checkSegment("runId", runId);
    return "runs/" + runId + "/";
  }

  /** {@code runs/<runId>/<stage>/} */
  public static String stageRoot(String runId, String stage) {
    checkSegment("stage", stage);
    return runRoot(runId) + stage + "/";
  }

  /** {@code studies/<studyId>/}: a scaling study's own files (study.json, its report) */
  public static String studyRoot(String studyId) {
    checkSegment("studyId", studyId);
    return "studies/" + studyId + "/";
  }

  static void checkSegment(String what, String value) {
    if (value == null || value.isBlank() || value.contains("/") || value.equals("..")
        || value.equals(".")) {
      throw new IllegalArgumentException("invalid " + what + " '" + value + "' for an S3 path");
    }
  }
}
