package io.llavascale.activities.lifecycle;

import io.temporal.client.WorkflowClient;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Duration;

/** Opens a {@link TemporalStageContext} for the activity running on the calling thread. */
public final class StageContexts {
  private final WorkflowClient client;
  private final ShutdownSignal shutdown;
  private final Duration progressSignalEvery;

  /** @param progressSignalEvery how often the pipeline gets a progress signal from a stage */
  @Inject
  public StageContexts(WorkflowClient client, ShutdownSignal shutdown,
      @Named("progressSignalEvery") Duration progressSignalEvery) {
    this.client = client;
    this.shutdown = shutdown;
    this.progressSignalEvery = progressSignalEvery;
  }

  public TemporalStageContext open() {
    return new TemporalStageContext(client, shutdown, progressSignalEvery);
  }
}
