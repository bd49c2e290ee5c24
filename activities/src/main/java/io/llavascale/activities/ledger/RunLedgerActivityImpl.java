package io.llavascale.activities.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.report.Reports;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.activities.store.StorePaths;
import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.RunSpecParser;
import io.llavascale.workflows.stages.CommittedStages;
import io.llavascale.workflows.stages.EvalResult;
import io.llavascale.workflows.stages.MergeResult;
import io.llavascale.workflows.stages.PreparedData;
import io.llavascale.workflows.stages.RunLedgerActivity;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.TrainResult;
import jakarta.inject.Inject;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The run's ledger in the bucket: spec.json, committed stage outputs, report.json. */
public final class RunLedgerActivityImpl implements RunLedgerActivity {
  public static final String SPEC = "spec.json";
  public static final String REPORT = "report.json";

  private static final ObjectMapper JSON = StageOutputs.DEFAULT_MAPPER;
  private static final Logger log = LoggerFactory.getLogger(RunLedgerActivityImpl.class);

  private final ObjectStore store;

  @Inject
  public RunLedgerActivityImpl(ObjectStore store) {
    this.store = store;
  }

  @Override
  public void recordSpec(String runId, RunSpec spec) {
    store.putBytes(StorePaths.runRoot(runId) + SPEC, json(RunSpecParser.toMap(spec)));
  }

  @Override
  public CommittedStages committedStages(String runId) {
    return new CommittedStages(
        read(runId, StageNames.DATA_PREP, PreparedData.class),
        read(runId, StageNames.ALIGN, TrainResult.class),
        read(runId, StageNames.TUNE, TrainResult.class),
        read(runId, StageNames.MERGE, MergeResult.class),
        read(runId, StageNames.EVALUATE, EvalResult.class));
  }

  private <T> T read(String runId, String stage, Class<T> type) {
    return StageOutputs.forStage(store, runId, stage).readCommitted(type).orElse(null);
  }

  @Override
  public String writeReport(String runId, PipelineReport report) {
    String key = StorePaths.runRoot(runId) + REPORT;
    store.putBytes(key, json(report));
    publish(report);
    return store.uri(key);
  }

  /** The HTML report is for people; a failure to render it must not fail the run. */
  private void publish(PipelineReport report) {
    try {
      String index = new Reports(store).publishRun(report);
      log.info("run {}: report written to {}", report.runId(), index);
    } catch (RuntimeException e) {
      log.warn("run {}: HTML report not written: {}", report.runId(), e.toString());
    }
  }

  /** The spec a run recorded, as the map `llava resume` starts it again with. */
  public static Optional<Map<String, Object>> readSpec(ObjectStore store, String runId) {
    String key = StorePaths.runRoot(runId) + SPEC;
    if (store.size(key).isEmpty()) {
      return Optional.empty();
    }
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> spec = JSON.readValue(store.getBytes(key), Map.class);
      return Optional.of(spec);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The report a finished (or failed, or cancelled) run wrote, if any. */
  public static Optional<PipelineReport> readReport(ObjectStore store, String runId) {
    String key = StorePaths.runRoot(runId) + REPORT;
    if (store.size(key).isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(store.getBytes(key), PipelineReport.class));
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] json(Object value) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
