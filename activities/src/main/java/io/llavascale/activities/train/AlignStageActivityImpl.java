package io.llavascale.activities.train;

import io.llavascale.activities.lifecycle.StageContexts;
import io.llavascale.activities.lifecycle.TemporalStageContext;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.workflows.stages.AlignStageActivity;
import io.llavascale.workflows.stages.TrainRequest;
import io.llavascale.workflows.stages.TrainResult;
import io.temporal.activity.Activity;
import jakarta.inject.Inject;
import java.io.IOException;

/** Stage 1 on a GPU-pool worker: the projector learns to map vision features into the LM. */
public final class AlignStageActivityImpl implements AlignStageActivity {
  private final TrainingBackends backends;
  private final StageContexts contexts;

  @Inject
  public AlignStageActivityImpl(TrainingBackends backends, StageContexts contexts) {
    this.backends = backends;
    this.contexts = contexts;
  }

  @Override
  public TrainResult align(TrainRequest request) {
    try (TemporalStageContext context = contexts.open()) {
      return backends.forSpec(request.spec()).train(request, TrainerConfig.Stage.ALIGN, context);
    } catch (IOException e) {
      throw Activity.wrap(e);
    }
  }
}
