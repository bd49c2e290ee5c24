package io.llavascale.model.data;

import static io.llavascale.model.data.ConversationFormatter.IGNORE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.llavascale.model.data.ConversationFormatter.Template;
import io.llavascale.model.tokenizer.SpecialTokens;
import io.llavascale.model.tokenizer.TokenEncoder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConversationFormatterTest {
  /** A fake word encoder: whitespace split, lowercase, ids from 10 up in order of first sight. */
  static final class FakeEncoder implements TokenEncoder {
    final Map<String, Integer> vocab = new HashMap<>();

    @Override
    public int[] encode(String text) {
      return java.util.Arrays.stream(text.toLowerCase().trim().split("\\s+"))
          .filter(w -> !w.isEmpty())
          .mapToInt(w -> vocab.computeIfAbsent(w, k -> 10 + vocab.size()))
          .toArray();
    }

    int id(String w) {
      return vocab.get(w);
    }
  }

  final FakeEncoder enc = new FakeEncoder();
  final ConversationFormatter f = new ConversationFormatter(enc);
  static final int B = SpecialTokens.BOS, E = SpecialTokens.EOS, I = SpecialTokens.IMAGE;

  @Test
  void plainKeepsOnlyImageAndCaptionWithLossOnCaption() {
    TokenizedSample s = f.format(Template.PLAIN,
        List.of(new Turn("human", "Describe briefly.\n<image>"), new Turn("gpt", "red circle")),
        true, 0, 16);
    int red = enc.id("red"), circle = enc.id("circle");
    assertArrayEquals(new int[] {B, I, red, circle, E}, s.inputIds());
    assertArrayEquals(new int[] {IGNORE, IGNORE, red, circle, E}, s.labels());
  }

  @Test
  void v1MultiTurnMasksEverythingButAnswersAndTheirEos() {
    TokenizedSample s = f.format(Template.V1, List.of(
        new Turn("human", "What color?\n<image>"), new Turn("gpt", "red"),
        new Turn("human", "Shape?"), new Turn("gpt", "circle")), true, 0, 16);
    int u = enc.id("user:"), a = enc.id("assistant:");
    int what = enc.id("what"), color = enc.id("color?"), red = enc.id("red");
    int shape = enc.id("shape?"), circle = enc.id("circle");
    assertArrayEquals(
        new int[] {B, u, I, what, color, a, red, E, u, shape, a, circle, E}, s.inputIds());
    int X = IGNORE;
    assertArrayEquals(new int[] {X, X, X, X, X, X, red, E, X, X, X, circle, E}, s.labels());
    assertEquals(4, s.targetTokens());
  }

  @Test
  void textOnlyHasNoImageTokenAndLeadingGptTurnIsDropped() {
    TokenizedSample s = f.format(Template.V1, List.of(
        new Turn("gpt", "hello"), new Turn("human", "2 plus 2?"), new Turn("gpt", "4"),
        new Turn("human", "unanswered")), false, 0, 0);
    for (int id : s.inputIds()) {
      org.junit.jupiter.api.Assertions.assertNotEquals(I, id);
    }
    int four = enc.id("4");
    assertEquals(List.of(IGNORE, IGNORE, IGNORE, IGNORE, IGNORE, IGNORE, four, E),
        java.util.Arrays.stream(s.labels()).boxed().toList());
  }

  @Test
  void truncationCountsImagePatchesAndEvalPromptEndsAtAssistant() {
    TokenizedSample s = f.format(Template.V1,
        List.of(new Turn("human", "<image>\na b c d"), new Turn("gpt", "e f")), true, 20, 16);
    assertEquals(5, s.inputIds().length); // 20 - (16 - 1)
    int[] p = f.evalPrompt("<image>\nWhat color is it?", true);
    assertEquals(B, p[0]);
    assertEquals(I, p[2]);
    assertEquals(enc.id("assistant:"), p[p.length - 1]);
    assertThrows(IllegalArgumentException.class, () -> f.format(Template.V1,
        List.of(new Turn("human", "a"), new Turn("human", "b")), false, 0, 0));
  }
}
