package io.llavascale.activities.evaluate.judge;

import io.llavascale.model.metrics.JudgeRequest;
import io.llavascale.model.metrics.Judgement;
import java.util.Optional;

/**
 * The judge's request and the reading of its reply, as LLaVA's {@code eval_gpt_review_bench.py}
 * does it with the {@code llava_bench_*} rules of {@code llava/eval/table/rule.json}: the reference
 * answer is Assistant 1, the model's is Assistant 2, and the reply's first line holds their two
 * scores ("8 7", or "8, 7").
 */
final class ReviewPrompt {
  static final String SYSTEM = "You are a helpful and precise assistant for checking the quality of the answer.";
  static final String RULE = "We would like to request your feedback on the performance of two AI assistants in"
      + " response to the user question displayed above. The user asks the question on observing an image. For your"
      + " reference, the visual content in the image is represented with a few sentences describing the image. \n"
      + "Please rate the helpfulness, relevance, accuracy, level of details of their responses. Each assistant"
      + " receives an overall score on a scale of 1 to 10, where a higher score indicates better overall"
      + " performance.\nPlease first output a single line containing only two values indicating the scores for"
      + " Assistant 1 and 2, respectively. The two scores are separated by a space.\nIn the subsequent line, please"
      + " provide a comprehensive explanation of your evaluation, avoiding any potential bias and ensuring that the"
      + " order in which the responses were presented does not affect your judgment.";

  private ReviewPrompt() {}

  static String content(JudgeRequest r) {
    return "[Context]\n" + r.context() + "\n\n"
        + "[Question]\n" + r.question() + "\n\n"
        + "[Assistant 1]\n" + r.reference() + "\n\n[End of Assistant 1]\n\n"
        + "[Assistant 2]\n" + r.answer() + "\n\n[End of Assistant 2]\n\n"
        + "[System]\n" + RULE + "\n\n";
  }

  /** The two scores of the reply's first line; empty when it does not hold exactly two numbers in [0, 10]. */
  static Optional<Judgement> parse(String review) {
    String first = review.strip().split("\n", 2)[0].replace(',', ' ').strip();
    String[] parts = first.split("\\s+");
    if (parts.length != 2) {
      return Optional.empty();
    }
    try {
      double reference = Double.parseDouble(parts[0]);
      double model = Double.parseDouble(parts[1]);
      return inScale(reference) && inScale(model) ? Optional.of(new Judgement(reference, model)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean inScale(double score) {
    return score >= 0 && score <= 10;
  }
}
