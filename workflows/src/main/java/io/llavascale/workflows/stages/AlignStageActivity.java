package io.llavascale.workflows.stages;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Stage 1: trains the projector only, on captions (task queue llava-gpu-&lt;pool&gt;). */
@ActivityInterface
public interface AlignStageActivity {
  @ActivityMethod(name = "AlignStage")
  TrainResult align(TrainRequest request);
}
