package io.llavascale.activities.evaluate.judge;

import io.llavascale.activities.store.ObjectStore;
import io.llavascale.model.metrics.Judge;
import io.llavascale.model.metrics.OverlapJudge;
import io.llavascale.workflows.spec.EvalSpec;
import jakarta.inject.Inject;
import java.util.Map;

/** The judge a run's {@code eval.judge} names; the network judge is cached in the object store, the free one not. */
public final class JudgeFactory {
  private final ObjectStore store;
  private final Map<String, String> environment;

  /** Reads the worker's environment ({@link JudgeSettings}). */
  @Inject
  public JudgeFactory(ObjectStore store) {
    this(store, System.getenv());
  }

  public JudgeFactory(ObjectStore store, Map<String, String> environment) {
    this.store = store;
    this.environment = Map.copyOf(environment);
  }

  /**
   * @throws JudgeException (not retryable) when the openai judge has no model
   */
  public Judge create(EvalSpec eval) {
    return EvalSpec.OPENAI_JUDGE.equals(eval.judge())
        ? new CachedJudge(new ChatCompletionsJudge(JudgeSettings.fromEnvironment(environment, eval.judgeModel())), store)
        : new OverlapJudge();
  }
}
