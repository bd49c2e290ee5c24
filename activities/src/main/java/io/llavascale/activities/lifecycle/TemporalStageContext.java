package io.llavascale.activities.lifecycle;

import io.llavascale.workflows.pipeline.LlavaPipeline;
import io.llavascale.workflows.stages.StageProgress;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stage context backed by the running activity. A background ticker heartbeats the latest
 * progress every few seconds, so a long step or a multi-GB checkpoint upload never looks like a
 * dead worker; the pipeline gets a progress signal at a slower, fixed rate so its history stays
 * small on multi-day runs.
 */
public final class TemporalStageContext implements StageContext, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TemporalStageContext.class);
  private static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(2);

  private final ActivityExecutionContext activity;
  private final WorkflowClient client;
  private final ShutdownSignal shutdown;
  private final Duration signalEvery;
  private final AtomicReference<TrainingHeartbeat> latest = new AtomicReference<>();
  private final ScheduledExecutorService ticker;
  private final Optional<TrainingHeartbeat> previous;
  private volatile long lastSignalNanos;
  private volatile StageProgress lastSignalled;
  private volatile boolean cancelled;

  /** Call from the activity thread. */
  public TemporalStageContext(WorkflowClient client, ShutdownSignal shutdown, Duration signalEvery) {
    this.activity = Activity.getExecutionContext();
    this.client = client;
    this.shutdown = shutdown;
    this.signalEvery = signalEvery;
    this.previous = activity.getHeartbeatDetails(TrainingHeartbeat.class);
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "heartbeat-" + activity.getInfo().getActivityType());
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(this::tick, 0, HEARTBEAT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void progress(StageProgress progress, long stepsRecomputed) {
    latest.set(new TrainingHeartbeat(progress, stepsRecomputed));
  }

  private void tick() {
    TrainingHeartbeat beat = latest.get();
    try {
      // Heartbeats with no details still prove liveness while a stage sets up.
      activity.heartbeat(beat);
    } catch (ActivityCompletionException e) {
      // Cancelled (a gang whose other rank failed), timed out or the worker is going away: the
      // stage notices through stopRequested().
      if (!cancelled) {
        log.info("{}: heartbeat refused ({}); asking the stage to stop", label(), e.getClass().getSimpleName());
      }
      cancelled = true;
    } catch (RuntimeException e) {
      log.debug("{}: heartbeat refused: {}", label(), e.toString());
    }
    if (beat != null && !beat.progress().equals(lastSignalled)
        && System.nanoTime() - lastSignalNanos >= signalEvery.toNanos()) {
      signal(beat.progress());
    }
  }

  private void signal(StageProgress progress) {
    try {
      client
          .newWorkflowStub(LlavaPipeline.class, activity.getInfo().getWorkflowId())
          .reportProgress(progress);
      lastSignalled = progress;
      lastSignalNanos = System.nanoTime();
    } catch (RuntimeException e) {
      // Progress is best effort: a run started by an older workflow type, or a closed one, has no
      // use for it, and it must never fail the stage.
      log.debug("{}: progress signal not delivered: {}", label(), e.toString());
    }
  }

  @Override
  public Optional<TrainingHeartbeat> previousAttempt() {
    return previous;
  }

  @Override
  public boolean stopRequested() {
    return shutdown.isRequested() || cancelled;
  }

  /** Delivered at once (not throttled): the gang waits for it. A failure fails the rank. */
  @Override
  public void gangMasterReady(String rendezvousId, String address) {
    client.newWorkflowStub(LlavaPipeline.class, activity.getInfo().getWorkflowId()).gangMaster(rendezvousId, address);
  }

  @Override
  public String label() {
    var info = activity.getInfo();
    return "run=" + info.getWorkflowId() + " stage=" + info.getActivityType() + " attempt=" + info.getAttempt();
  }

  /** Stops the ticker and sends the final progress to the pipeline. */
  @Override
  public void close() {
    ticker.shutdownNow();
    TrainingHeartbeat beat = latest.get();
    if (beat != null && !beat.progress().equals(lastSignalled)) {
      signal(beat.progress());
    }
  }
}
