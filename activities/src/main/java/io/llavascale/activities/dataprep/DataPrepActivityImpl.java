package io.llavascale.activities.dataprep;

import io.llavascale.activities.lifecycle.StageContexts;
import io.llavascale.activities.lifecycle.TemporalStageContext;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.stages.DataPrepActivity;
import io.llavascale.workflows.stages.PreparedData;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.StageProgress;
import jakarta.inject.Inject;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** DataPrep on a CPU worker: runs {@link DataPrepper} and commits its output with a manifest. */
public final class DataPrepActivityImpl implements DataPrepActivity {
  private static final Logger log = LoggerFactory.getLogger(DataPrepActivityImpl.class);

  private final ObjectStore store;
  private final StageContexts contexts;

  @Inject
  public DataPrepActivityImpl(ObjectStore store, StageContexts contexts) {
    this.store = store;
    this.contexts = contexts;
  }

  @Override
  public PreparedData prepare(String runId, RunSpec spec) {
    StageOutputs outputs = StageOutputs.forStage(store, runId, StageNames.DATA_PREP);
    try (TemporalStageContext context = contexts.open()) {
      Optional<PreparedData> committed = outputs.readCommitted(PreparedData.class);
      if (committed.isPresent()) {
        log.info("{}: output already committed at {}; returning it", context.label(), outputs.uri());
        return committed.get();
      }
      DataPrepper.Result result = new DataPrepper(store).prepare(runId, spec, (phase, done, total) ->
          context.progress(new StageProgress(StageNames.DATA_PREP + ":" + phase, done, Math.max(total, 0), 0, 0, 0, 0, ""), 0));
      outputs.commitUploaded(result.writtenKeys(), result.data());
      PreparedData data = result.data();
      log.info("{}: records in={} kept={} quarantined={} vocab={} output={}", context.label(),
          data.recordsIn(), data.kept(), data.quarantined(), data.vocabSize(), outputs.uri());
      return data;
    }
  }
}
