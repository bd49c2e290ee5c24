package io.llavascale.activities.merge;

import io.llavascale.activities.lifecycle.StageContexts;
import io.llavascale.activities.lifecycle.TemporalStageContext;
import io.llavascale.workflows.stages.MergeLoraActivity;
import io.llavascale.workflows.stages.MergeRequest;
import io.llavascale.workflows.stages.MergeResult;
import io.temporal.activity.Activity;
import jakarta.inject.Inject;
import java.io.IOException;

/** MergeLora on a CPU worker: heartbeats per tensor written while {@link LoraMerger} streams. */
public final class MergeLoraActivityImpl implements MergeLoraActivity {
  private final LoraMerger merger;
  private final StageContexts contexts;

  @Inject
  public MergeLoraActivityImpl(LoraMerger merger, StageContexts contexts) {
    this.merger = merger;
    this.contexts = contexts;
  }

  @Override
  public MergeResult merge(MergeRequest request) {
    try (TemporalStageContext context = contexts.open()) {
      return merger.merge(request, context);
    } catch (IOException e) {
      throw Activity.wrap(e);
    }
  }
}
