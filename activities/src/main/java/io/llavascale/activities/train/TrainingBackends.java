package io.llavascale.activities.train;

import io.llavascale.activities.external.ExternalStageTrainer;
import io.llavascale.workflows.spec.ComputeSpec;
import io.llavascale.workflows.spec.RunSpec;
import jakarta.inject.Inject;

/** Picks the stage runner a spec's compute.backend names. */
public final class TrainingBackends {
  private final StageTrainer jvm;
  private final ExternalStageTrainer external;

  @Inject
  public TrainingBackends(StageTrainer jvm, ExternalStageTrainer external) {
    this.jvm = jvm;
    this.external = external;
  }

  public StageRunner forSpec(RunSpec spec) {
    return ComputeSpec.EXTERNAL.equals(spec.compute().backend()) ? external : jvm;
  }
}
