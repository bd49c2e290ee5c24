package io.llavascale.workflows.pipeline;

import io.llavascale.workflows.stages.GangRank;
import io.llavascale.workflows.stages.TrainRequest;
import io.llavascale.workflows.stages.TrainResult;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A training stage on compute.nodes &gt; 1 nodes, as a gang: rank 0 starts first and signals where
 * it listens ({@code gangMaster}); then ranks 1..N-1 start with that address. The ranks train in
 * lock step, so one failing rank fails the gang: the others are cancelled (and waited for, so rank 0
 * has uploaded its last checkpoint), and the whole gang starts again under a new rendezvous id,
 * every rank restoring the same newest committed checkpoint. The rank activities themselves are
 * never retried alone. Deterministic workflow code: no I/O, Workflow time only.
 */
final class GangStage {
  private final Logger log = Workflow.getLogger(GangStage.class);
  private final Map<String, String> masters = new HashMap<>(); // rendezvous id -> host:port

  /** The {@code gangMaster} signal. */
  void masterReady(String rendezvousId, String address) {
    masters.putIfAbsent(rendezvousId, address);
  }

  /**
   * @param start        starts one rank's activity (cancellable, not retried on its own)
   * @param reportedStep the newest step the stage's progress signals reported
   */
  TrainResult run(String runId, String stage, TrainRequest request, int attempts, Set<String> doNotRetry,
      Function<TrainRequest, Promise<TrainResult>> start, LongSupplier reportedStep) {
    int world = request.spec().compute().nodes();
    long reached = 0;
    long recomputed = 0;
    Duration backoff = LlavaPipelineImpl.INITIAL_RETRY;
    for (int attempt = 1; ; attempt++) {
      String id = runId + "-" + stage + "-" + attempt;
      GangRank master = new GangRank(id, 0, world, "", reached, recomputed);
      List<CancellationScope> scopes = new ArrayList<>();
      List<Promise<TrainResult>> ranks = new ArrayList<>();
      ranks.add(startIn(scopes, () -> start.apply(request.forRank(master))));
      log.info("run {} stage {} gang {}: rank 0 of {} started", runId, stage, id, world);
      Workflow.await(() -> masters.containsKey(id) || ranks.get(0).isCompleted());
      if (!ranks.get(0).isCompleted()) {
        String address = masters.get(id);
        for (int r = 1; r < world; r++) {
          GangRank rank = master.member(r, address);
          ranks.add(startIn(scopes, () -> start.apply(request.forRank(rank))));
        }
        log.info("run {} stage {} gang {}: master at {}, ranks 1..{} started", runId, stage, id, address, world - 1);
      }
      Workflow.await(() -> ranks.stream().allMatch(Promise::isCompleted) || firstFailure(ranks) != null);
      RuntimeException failed = firstFailure(ranks);
      if (failed == null) {
        return ranks.get(0).get();
      }
      if (!(failed instanceof ActivityFailure failure) || CancellationScope.current().isCancelRequested()) {
        throw failed; // the run itself is being cancelled: no new gang
      }
      // Lock step: the other ranks cannot go on without this one.
      scopes.forEach(CancellationScope::cancel);
      Workflow.await(() -> ranks.stream().allMatch(Promise::isCompleted));
      reached = Math.max(reached, reportedStep.getAsLong());
      for (Promise<TrainResult> p : ranks) {
        if (p.getFailure() instanceof ActivityFailure f && f.getCause() instanceof ApplicationFailure af
            && af.getDetails().getSize() == 2) {
          reached = Math.max(reached, af.getDetails().get(0, Long.class));
          recomputed = Math.max(recomputed, af.getDetails().get(1, Long.class));
        }
      }
      if (attempt >= attempts || !retryable(failure, doNotRetry)) {
        throw failure;
      }
      log.warn("run {} stage {} gang {} failed ({}); all {} ranks stopped, retrying the gang from the newest"
          + " checkpoint in {} s", runId, stage, id, failure.getCause() == null ? failure : failure.getCause().getMessage(),
          world, backoff.toSeconds());
      Workflow.sleep(backoff);
      backoff = min(backoff.multipliedBy((long) LlavaPipelineImpl.BACKOFF), LlavaPipelineImpl.TRAIN_MAX_INTERVAL);
    }
  }

  private static Promise<TrainResult> startIn(List<CancellationScope> scopes,
      java.util.function.Supplier<Promise<TrainResult>> start) {
    List<Promise<TrainResult>> started = new ArrayList<>(1);
    CancellationScope scope = Workflow.newCancellationScope(() -> {
      started.add(start.get());
    });
    scope.run();
    scopes.add(scope);
    return started.get(0);
  }

  private static RuntimeException firstFailure(List<Promise<TrainResult>> ranks) {
    for (Promise<TrainResult> p : ranks) {
      if (p.isCompleted() && p.getFailure() != null) {
        return p.getFailure();
      }
    }
    return null;
  }

  private static boolean retryable(ActivityFailure failure, Set<String> doNotRetry) {
    return !(failure.getCause() instanceof ApplicationFailure af)
        || !(af.isNonRetryable() || doNotRetry.contains(af.getType()));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
