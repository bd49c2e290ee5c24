package io.llavascale.model.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OverlapJudgeTest {
  private final OverlapJudge judge = new OverlapJudge();

  @Test
  void scalesWordF1ToOneToTen() {
    String reference = "A red circle at the top left.";
    assertEquals(new Judgement(10, 10), judge.judge(request(reference, "a red circle at the TOP left")));
    assertEquals(new Judgement(10, 1), judge.judge(request(reference, "blue")));
    assertEquals(new Judgement(10, 1), judge.judge(request(reference, "")));
    // "red circle": precision 1, recall 2/7, F1 4/9.
    assertEquals(1 + 9 * (4.0 / 9), judge.judge(request(reference, "red circle")).model(), 1e-9);
    // Repeating a word earns it once.
    assertEquals(2 * 0.5 * (1.0 / 7) / (0.5 + 1.0 / 7), OverlapJudge.f1("red red", reference), 1e-12);
  }

  private static JudgeRequest request(String reference, String answer) {
    return new JudgeRequest("conv", "", "What is in the image?", reference, answer);
  }
}
