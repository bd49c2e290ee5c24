package io.llavascale.activities.evaluate;

import io.llavascale.model.data.EvalItem;
import io.llavascale.model.metrics.CategoryTallies;
import io.llavascale.model.metrics.MultipleChoice;
import io.llavascale.model.metrics.MultipleChoice.Question;
import io.llavascale.model.metrics.MultipleChoice.Rotation;
import io.llavascale.model.metrics.Tally;
import io.llavascale.workflows.stages.ChoiceResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A multiple-choice benchmark: mmbench asks every rotation of the options (circular evaluation),
 * mmlu asks once. A question's askings are answered together by {@link Answerer#choose}.
 */
final class ChoiceBenchmark {
  /** The result for EvalResult and the section for the stage's report.json. */
  record Outcome(ChoiceResult result, Map<String, Object> report) {}

  private ChoiceBenchmark() {}

  static Outcome run(List<EvalItem> items, boolean circular, Answerer answerer, AnswerLines answers, Runnable tick)
      throws IOException {
    MultipleChoice score = new MultipleChoice();
    long askings = 0;
    for (EvalItem item : items) {
      Question question = new Question(item.questionId(), item.category(), item.question(), item.options(),
          MultipleChoice.index(item.answer()));
      List<Rotation> rotations = MultipleChoice.rotations(question, circular);
      int[] chosen = answerer.choose(item, rotations);
      List<String> letters = new ArrayList<>();
      for (int c : chosen) {
        letters.add(String.valueOf(MultipleChoice.letter(c)));
      }
      askings += rotations.size();
      boolean right = score.add(item.category(), rotations, chosen);
      Map<String, Object> metadata = new LinkedHashMap<>();
      metadata.put("category", item.category());
      metadata.put("reference", item.answer());
      metadata.put("rotations", letters);
      metadata.put("correct", right);
      answers.write(item, rotations.get(0).options().get(chosen[0]), metadata);
      tick.run();
    }
    CategoryTallies headline = circular ? score.circular() : score.firstPass();
    Map<String, Double> perCategory = new TreeMap<>();
    headline.byCategory().forEach((category, tally) -> perCategory.put(category, tally.accuracy()));
    ChoiceResult result = new ChoiceResult(items.size(), askings, circular, headline.overall().accuracy(),
        score.firstPass().overall().accuracy(), perCategory);

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("questions", items.size());
    report.put("askings", askings);
    report.put("circular", circular);
    report.put("accuracy", result.accuracy());
    report.put("firstPass", section(score.firstPass()));
    if (circular) {
      report.put("circularEval", section(score.circular()));
    }
    return new Outcome(result, report);
  }

  private static Map<String, Object> section(CategoryTallies tallies) {
    Map<String, Object> categories = new TreeMap<>();
    tallies.byCategory().forEach((category, tally) -> categories.put(category, counts(tally)));
    Map<String, Object> out = counts(tallies.overall());
    out.put("perCategory", categories);
    return out;
  }

  private static Map<String, Object> counts(Tally tally) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("accuracy", tally.accuracy());
    m.put("correct", tally.correct());
    m.put("total", tally.total());
    return m;
  }
}
