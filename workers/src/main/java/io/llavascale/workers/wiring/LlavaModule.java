package io.llavascale.workers.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.name.Names;
import io.llavascale.activities.dataprep.DataPrepActivityImpl;
import io.llavascale.activities.evaluate.EvaluateActivityImpl;
import io.llavascale.activities.external.ExternalTrainerSettings;
import io.llavascale.activities.ledger.RunLedgerActivityImpl;
import io.llavascale.activities.ledger.StudyLedgerActivityImpl;
import io.llavascale.activities.lifecycle.ShutdownSignal;
import io.llavascale.activities.merge.MergeLoraActivityImpl;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.S3ObjectStore;
import io.llavascale.activities.store.TransferSettings;
import io.llavascale.activities.train.AlignStageActivityImpl;
import io.llavascale.activities.train.TuneStageActivityImpl;
import io.llavascale.infra.config.S3Clients;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.workflows.stages.AlignStageActivity;
import io.llavascale.workflows.stages.DataPrepActivity;
import io.llavascale.workflows.stages.EvaluateActivity;
import io.llavascale.workflows.stages.MergeLoraActivity;
import io.llavascale.workflows.stages.RunLedgerActivity;
import io.llavascale.workflows.stages.TuneStageActivity;
import io.llavascale.workflows.study.StudyLedgerActivity;
import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Wires a process from a resolved {@link StackConfig}: one Temporal client, one S3 client, the
 * object store and every stage activity.
 */
public final class LlavaModule extends AbstractModule {
  /** Progress signals to the pipeline: often enough for `llava status`, rare enough for history. */
  public static final Duration PROGRESS_SIGNAL_EVERY = Duration.ofSeconds(3);

  private final StackConfig config;

  public LlavaModule(StackConfig config) {
    this.config = config;
  }

  @Override
  protected void configure() {
    bind(StackConfig.class).toInstance(config);
    bind(ShutdownSignal.class).toInstance(new ShutdownSignal());
    bind(Path.class).annotatedWith(Names.named("scratch")).toInstance(config.home().resolve("scratch"));
    bind(Duration.class).annotatedWith(Names.named("progressSignalEvery")).toInstance(PROGRESS_SIGNAL_EVERY);
    bind(ExternalTrainerSettings.class).toInstance(ExternalTrainerSettings.fromEnv(System.getenv()));
    bind(DataPrepActivity.class).to(DataPrepActivityImpl.class);
    bind(RunLedgerActivity.class).to(RunLedgerActivityImpl.class);
    bind(AlignStageActivity.class).to(AlignStageActivityImpl.class);
    bind(TuneStageActivity.class).to(TuneStageActivityImpl.class);
    bind(MergeLoraActivity.class).to(MergeLoraActivityImpl.class);
    bind(EvaluateActivity.class).to(EvaluateActivityImpl.class);
    bind(StudyLedgerActivity.class).to(StudyLedgerActivityImpl.class);
  }

  @Provides
  @Singleton
  WorkflowClient workflowClient() {
    return TemporalConnections.client(config);
  }

  @Provides
  @Singleton
  S3Client s3Client() {
    return S3Clients.create(config);
  }

  @Provides
  @Singleton
  ObjectStore objectStore(S3Client s3) {
    return new S3ObjectStore(s3, config.s3Bucket(), TransferSettings.fromEnv(System.getenv()));
  }
}
