package io.llavascale.model.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RelativeScoreTest {
  @Test
  void meanOfModelOverMeanOfReferencePerCategoryAndOverall() {
    RelativeScore score = new RelativeScore();
    score.add("conv", new Judgement(8, 6));
    score.add("conv", new Judgement(10, 9));
    score.add("detail", new Judgement(9, 3));

    RelativeScore.Summary conv = score.byCategory().get("conv");
    assertEquals(2, conv.questions());
    assertEquals(7.5, conv.modelMean(), 1e-12);
    assertEquals(9.0, conv.referenceMean(), 1e-12);
    assertEquals(100 * 7.5 / 9.0, conv.relative(), 1e-9);
    assertEquals(100 * 3 / 9.0, score.byCategory().get("detail").relative(), 1e-9);
    // Overall is the ratio of the means over all questions, not the mean of category ratios.
    assertEquals(100 * (18.0 / 3) / (27.0 / 3), score.overall().relative(), 1e-9);
    assertEquals(0, new RelativeScore().overall().relative());
  }
}
