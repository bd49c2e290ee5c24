package io.llavascale.model.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExactMatchTest {
  @Test
  void normalisesCaseSpacesAndTrailingPunctuation() {
    assertEquals("a red circle", ExactMatch.normalize("  A   Red\tcircle.!  "));
    assertTrue(ExactMatch.matches("Red.", "red"));
    assertFalse(ExactMatch.matches("red circle", "red"));
    assertEquals("3.5", ExactMatch.normalize("3.5"));
  }

  @Test
  void scoresOverallAndPerCategory() {
    ExactMatch score = new ExactMatch();
    assertTrue(score.add("colour", "Red", "red"));
    assertFalse(score.add("colour", "blue", "red"));
    assertTrue(score.add("count", "2", "2"));
    assertEquals(new Tally(2, 3), score.overall());
    assertEquals(0.5, score.byCategory().get("colour").accuracy(), 1e-12);
    assertEquals(1.0, score.byCategory().get("count").accuracy(), 1e-12);
  }
}
