package io.llavascale.activities.evaluate;

import io.llavascale.activities.evaluate.judge.CachedJudge;
import io.llavascale.model.data.EvalItem;
import io.llavascale.model.metrics.Judge;
import io.llavascale.model.metrics.JudgeRequest;
import io.llavascale.model.metrics.Judgement;
import io.llavascale.model.metrics.RelativeScore;
import io.llavascale.workflows.stages.JudgedResult;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * LLaVA-Bench style: the model answers each open question, a judge scores its answer and the
 * reference 1-10, and the relative score is mean(model) / mean(reference) x 100.
 */
final class JudgedBenchmark {
  record Outcome(JudgedResult result, Map<String, Object> report) {}

  private JudgedBenchmark() {}

  static Outcome run(List<EvalItem> items, Answerer answerer, Judge judge, AnswerLines answers, Runnable tick)
      throws IOException {
    RelativeScore score = new RelativeScore();
    for (EvalItem item : items) {
      String answer = answerer.generate(item);
      Judgement judgement = judge.judge(
          new JudgeRequest(item.category(), item.context(), item.question(), item.answer(), answer));
      score.add(item.category(), judgement);
      Map<String, Object> metadata = new LinkedHashMap<>();
      metadata.put("category", item.category());
      metadata.put("reference", item.answer());
      metadata.put("judge", judge.id());
      metadata.put("scores", List.of(judgement.reference(), judgement.model())); // LLaVA's review "tuple"
      answers.write(item, answer, metadata);
      tick.run();
    }
    long calls = judge instanceof CachedJudge cached ? cached.calls() : items.size();
    long hits = judge instanceof CachedJudge cached ? cached.hits() : 0;
    Map<String, Double> perCategory = new TreeMap<>();
    Map<String, Object> categories = new TreeMap<>();
    score.byCategory().forEach((category, summary) -> {
      perCategory.put(category, summary.relative());
      categories.put(category, summary);
    });
    RelativeScore.Summary overall = score.overall();
    JudgedResult result = new JudgedResult(items.size(), judge.id(), overall.relative(), perCategory,
        overall.modelMean(), overall.referenceMean(), calls, hits);

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("questions", items.size());
    report.put("judge", judge.id());
    report.put("relative", overall.relative());
    report.put("modelMean", overall.modelMean());
    report.put("referenceMean", overall.referenceMean());
    report.put("perCategory", categories);
    report.put("judgeCalls", calls);
    report.put("cached", hits);
    return new Outcome(result, report);
  }
}
