package io.llavascale.model.metrics;

/** Scores a model's open-ended answer against a reference answer, LLaVA-Bench style. */
public interface Judge {
  /** Names the judge and its model, e.g. {@code offline-f1} or {@code openai:gpt-4-0314}; part of cache keys. */
  String id();

  Judgement judge(JudgeRequest request);
}
