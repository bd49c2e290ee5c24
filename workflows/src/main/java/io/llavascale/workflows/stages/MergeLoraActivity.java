package io.llavascale.workflows.stages;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Streams adapter + base into merged weights; skipped for full fine-tuning (llava-cpu). */
@ActivityInterface
public interface MergeLoraActivity {
  @ActivityMethod(name = "MergeLora")
  MergeResult merge(MergeRequest request);
}
