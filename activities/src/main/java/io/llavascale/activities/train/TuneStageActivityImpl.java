package io.llavascale.activities.train;

import io.llavascale.activities.lifecycle.StageContexts;
import io.llavascale.activities.lifecycle.TemporalStageContext;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.workflows.stages.TuneStageActivity;
import io.llavascale.workflows.stages.TrainRequest;
import io.llavascale.workflows.stages.TrainResult;
import io.temporal.activity.Activity;
import jakarta.inject.Inject;
import java.io.IOException;

/** Stage 2 on a GPU-pool worker: LM and projector learn to follow visual instructions. */
public final class TuneStageActivityImpl implements TuneStageActivity {
  private final TrainingBackends backends;
  private final StageContexts contexts;

  @Inject
  public TuneStageActivityImpl(TrainingBackends backends, StageContexts contexts) {
    this.backends = backends;
    this.contexts = contexts;
  }

  @Override
  public TrainResult tune(TrainRequest request) {
    try (TemporalStageContext context = contexts.open()) {
      return backends.forSpec(request.spec()).train(request, TrainerConfig.Stage.TUNE, context);
    } catch (IOException e) {
      throw Activity.wrap(e);
    }
  }
}
