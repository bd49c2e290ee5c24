package io.llavascale.activities.evaluate;

import io.llavascale.activities.evaluate.judge.JudgeException;
import io.llavascale.activities.lifecycle.StageContexts;
import io.llavascale.activities.lifecycle.TemporalStageContext;
import io.llavascale.workflows.stages.EvalRequest;
import io.llavascale.workflows.stages.EvalResult;
import io.llavascale.workflows.stages.EvaluateActivity;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import jakarta.inject.Inject;
import java.io.IOException;

/** Evaluate on a GPU-pool worker (generation is the expensive part). */
public final class EvaluateActivityImpl implements EvaluateActivity {
  /** Failure type of a judge a person must fix (model, key, replies without scores); not retried. */
  public static final String JUDGE_FAILED = "JudgeFailed";

  private final Evaluator evaluator;
  private final StageContexts contexts;

  @Inject
  public EvaluateActivityImpl(Evaluator evaluator, StageContexts contexts) {
    this.evaluator = evaluator;
    this.contexts = contexts;
  }

  @Override
  public EvalResult evaluate(EvalRequest request) {
    try (TemporalStageContext context = contexts.open()) {
      return evaluator.evaluate(request, context);
    } catch (IOException e) {
      throw Activity.wrap(e);
    } catch (JudgeException e) {
      if (e.retryable()) {
        throw e;
      }
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), JUDGE_FAILED);
    }
  }
}
