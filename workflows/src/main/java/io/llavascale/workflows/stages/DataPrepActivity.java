package io.llavascale.workflows.stages;

import io.llavascale.workflows.spec.RunSpec;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Validates, resizes and tokenizes the raw datasets into shards (task queue llava-cpu). */
@ActivityInterface
public interface DataPrepActivity {
  @ActivityMethod(name = "DataPrep")
  PreparedData prepare(String runId, RunSpec spec);
}
