package io.llavascale.workflows.stages;

import java.util.List;

/**
 * Stage names as they appear in S3 keys ({@code runs/<runId>/<stage>/...}), reports and the
 * progress query.
 */
public final class StageNames {
  public static final String DATA_PREP = "dataprep";
  public static final String ALIGN = "stage1";
  public static final String TUNE = "stage2";
  public static final String MERGE = "merge";
  public static final String EVALUATE = "eval";

  /** Pipeline order. */
  public static final List<String> ALL = List.of(DATA_PREP, ALIGN, TUNE, MERGE, EVALUATE);

  private StageNames() {}
}
