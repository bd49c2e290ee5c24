package io.llavascale.model.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.model.metrics.MultipleChoice.Question;
import io.llavascale.model.metrics.MultipleChoice.Rotation;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipleChoiceTest {
  private static final Question COLOUR =
      new Question("q1", "color", "What color is the circle?", List.of("red", "blue", "green", "yellow"), 1);

  @Test
  void rotatesEveryOptionThroughEveryLetter() {
    List<Rotation> r = MultipleChoice.rotations(COLOUR, true);
    assertEquals(4, r.size());
    assertEquals(List.of("red", "blue", "green", "yellow"), r.get(0).options());
    assertEquals(List.of("blue", "green", "yellow", "red"), r.get(1).options());
    assertEquals(List.of("yellow", "red", "blue", "green"), r.get(3).options());
    // "blue" is B, then A, then D, then C.
    assertEquals(List.of(1, 0, 3, 2), r.stream().map(Rotation::answer).toList());
    for (Rotation rotation : r) {
      assertEquals("blue", rotation.options().get(rotation.answer()));
    }
    assertEquals("What color is the circle?\nA. blue\nB. green\nC. yellow\nD. red", r.get(1).prompt());
    assertEquals(1, MultipleChoice.rotations(COLOUR, false).size());
  }

  @Test
  void circularCountsAQuestionOnlyWhenEveryRotationIsRight() {
    MultipleChoice score = new MultipleChoice();
    List<Rotation> r = MultipleChoice.rotations(COLOUR, true);
    // Knows the answer: picks blue wherever it is.
    assertTrue(score.add("color", r, new int[] {1, 0, 3, 2}));
    // Always says "B": right in the given order only.
    assertFalse(score.add("color", r, new int[] {1, 1, 1, 1}));
    // Right except when blue is last.
    assertFalse(score.add("shape", r, new int[] {1, 0, 0, 2}));
    // Wrong first, right after.
    assertFalse(score.add("shape", r, new int[] {2, 0, 3, 2}));

    assertEquals(new Tally(1, 4), score.circular().overall());
    assertEquals(new Tally(3, 4), score.firstPass().overall());
    assertEquals(new Tally(1, 2), score.circular().byCategory().get("color"));
    assertEquals(new Tally(0, 2), score.circular().byCategory().get("shape"));
    assertEquals(new Tally(1, 2), score.firstPass().byCategory().get("shape"));
  }

  @Test
  void singleAskingIsPlainAccuracy() {
    Question sum = new Question("m1", "math", "What is 2 plus 3?", List.of("4", "5", "6"), 1);
    MultipleChoice score = new MultipleChoice();
    List<Rotation> once = MultipleChoice.rotations(sum, false);
    assertTrue(score.add("math", once, new int[] {1}));
    assertFalse(score.add("math", once, new int[] {2}));
    assertEquals(new Tally(1, 2), score.firstPass().overall());
    assertEquals(new Tally(1, 2), score.circular().overall());
  }

  @Test
  void lettersAndBadQuestions() {
    assertEquals('D', MultipleChoice.letter(3));
    assertEquals(1, MultipleChoice.index("b."));
    assertEquals(2, MultipleChoice.index(" C "));
    assertEquals(-1, MultipleChoice.index("blue"));
    assertThrows(IllegalArgumentException.class, () -> new Question("x", "c", "q", List.of("only"), 0));
    assertThrows(IllegalArgumentException.class, () -> new Question("x", "c", "q", List.of("a", "b"), 2));
    assertThrows(IllegalArgumentException.class,
        () -> new MultipleChoice().add("c", MultipleChoice.rotations(COLOUR, true), new int[] {1}));
  }
}
