package io.llavascale.activities.store;

/** The run layout in the bucket: everything a run writes lives under {@code runs/<runId>/}. */
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

  static void checkSegment(String what, String value) {
    if (value == null || value.isBlank() || value.contains("/") || value.equals("..")
        || value.equals(".")) {
      throw new IllegalArgumentException("invalid " + what + " '" + value + "' for an S3 path");
    }
  }
}
