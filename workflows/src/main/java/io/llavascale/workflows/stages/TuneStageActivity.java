package io.llavascale.workflows.stages;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Stage 2: full / LoRA / QLoRA tuning on instructions (task queue llava-gpu-&lt;pool&gt;). */
@ActivityInterface
public interface TuneStageActivity {
  @ActivityMethod(name = "TuneStage")
  TrainResult tune(TrainRequest request);
}
