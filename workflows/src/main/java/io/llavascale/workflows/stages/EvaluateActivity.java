package io.llavascale.workflows.stages;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Generates answers to the held-out questions and scores them (llava-gpu-&lt;pool&gt;). */
@ActivityInterface
public interface EvaluateActivity {
  @ActivityMethod(name = "Evaluate")
  EvalResult evaluate(EvalRequest request);
}
