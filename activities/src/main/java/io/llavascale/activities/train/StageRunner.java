package io.llavascale.activities.train;

import io.llavascale.activities.lifecycle.StageContext;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.workflows.stages.TrainRequest;
import io.llavascale.workflows.stages.TrainResult;
import java.io.IOException;

/** One training backend's way to run a stage attempt against the store (compute.backend). */
public interface StageRunner {
  TrainResult train(TrainRequest request, TrainerConfig.Stage stage, StageContext context) throws IOException;
}
