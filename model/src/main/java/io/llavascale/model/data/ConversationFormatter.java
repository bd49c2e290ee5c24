package io.llavascale.model.data;

import io.llavascale.model.tokenizer.SpecialTokens;
import io.llavascale.model.tokenizer.TokenEncoder;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference code's two conversation templates, tokenized with loss masks.
 *
 * <ul>
 *   <li>{@link Template#PLAIN} (stage 1, {@code --version plain}): {@code <s> <image> caption </s>};
 *       the human prompt is dropped, loss on the caption and its {@code </s>} only.
 *   <li>{@link Template#V1} (stage 2, {@code --version v1}, Vicuna v1 without the system line):
 *       {@code <s> USER: <image>\n q1 ASSISTANT: a1</s>USER: q2 ASSISTANT: a2</s>...}; loss on
 *       every assistant answer and its {@code </s>}, nothing else. Text-only records (ShareGPT)
 *       have no {@code <image>} token.
 * </ul>
 *
 * <p>As in the reference code, {@code <image>} is removed from wherever it is and put at the front
 * of the first human turn. A leading gpt turn is dropped (reference behaviour), as is a trailing
 * human turn with no answer. Samples longer than the cap are truncated; an image sample's cap
 * counts the patches its {@code <image>} token expands into.
 *
 * <p>The formatter does not validate; callers (data prep) check the role order and the
 * {@code <image>} count first, and {@link #format} throws {@link IllegalArgumentException} on a
 * conversation it cannot format.
 */
public final class ConversationFormatter {
  public static final int IGNORE = -100;

  public enum Template {
    PLAIN,
    V1
  }

  private final TokenEncoder encoder;
  private final int[] userIds;
  private final int[] assistantIds;

  public ConversationFormatter(TokenEncoder encoder) {
    this.encoder = encoder;
    this.userIds = encoder.encode("USER:");
    this.assistantIds = encoder.encode("ASSISTANT:");
  }

  /**
   * @param maxTokens cap on the expanded length (text tokens + image patches); 0 = none
   * @param imagePatches patches the {@code <image>} token expands into (ignored when !hasImage)
   */
  public TokenizedSample format(
      Template template, List<Turn> turns, boolean hasImage, int maxTokens, int imagePatches) {
    Builder b = new Builder();
    b.add(SpecialTokens.BOS, false);
    List<Turn> conv = normalise(turns, hasImage);
    if (template == Template.PLAIN) {
      if (conv.size() != 2 || !conv.get(0).isHuman() || conv.get(1).isHuman()) {
        throw new IllegalArgumentException("plain template needs one human and one gpt turn");
      }
      if (hasImage) {
        b.add(SpecialTokens.IMAGE, false);
      }
      b.add(encoder.encode(conv.get(1).value()), true);
      b.add(SpecialTokens.EOS, true);
    } else {
      if (conv.isEmpty()) {
        throw new IllegalArgumentException("no human/gpt exchange");
      }
      for (int i = 0; i < conv.size(); i += 2) {
        Turn human = conv.get(i);
        b.add(userIds, false);
        String q = human.value();
        if (i == 0 && hasImage) {
          b.add(SpecialTokens.IMAGE, false);
          q = stripImage(q);
        }
        b.add(encoder.encode(q), false);
        b.add(assistantIds, false);
        b.add(encoder.encode(conv.get(i + 1).value()), true);
        b.add(SpecialTokens.EOS, true);
      }
    }
    int cap = maxTokens;
    if (cap > 0 && hasImage) {
      cap = Math.max(1, cap - Math.max(0, imagePatches - 1));
    }
    return b.build(cap);
  }

  /** Eval prompt in the v1 template up to and including {@code ASSISTANT:}. */
  public int[] evalPrompt(String question, boolean hasImage) {
    Builder b = new Builder();
    b.add(SpecialTokens.BOS, false);
    b.add(userIds, false);
    if (hasImage) {
      b.add(SpecialTokens.IMAGE, false);
    }
    b.add(encoder.encode(stripImage(question)), false);
    b.add(assistantIds, false);
    return b.build(0).inputIds();
  }

  /** Alternating human/gpt pairs, image token removed from every turn (re-added by format). */
  static List<Turn> normalise(List<Turn> turns, boolean hasImage) {
    List<Turn> out = new ArrayList<>();
    int start = 0;
    if (!turns.isEmpty() && !turns.get(0).isHuman()) {
      start = 1;
    }
    for (int i = start; i < turns.size(); i++) {
      Turn t = turns.get(i);
      boolean wantHuman = (out.size() % 2) == 0;
      if (t.isHuman() != wantHuman) {
        throw new IllegalArgumentException("turns do not alternate human/gpt at turn " + i);
      }
      String v = t.value();
      if (hasImage || v.contains(SpecialTokens.IMAGE_TOKEN)) {
        v = stripImage(v);
      }
      out.add(new Turn(t.from(), v));
    }
    if (out.size() % 2 == 1) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  static String stripImage(String v) {
    return v.replace(SpecialTokens.IMAGE_TOKEN, "").strip();
  }

  private static final class Builder {
    private int[] ids = new int[64];
    private int[] labels = new int[64];
    private int n;

    void add(int id, boolean target) {
      if (n == ids.length) {
        ids = java.util.Arrays.copyOf(ids, n * 2);
        labels = java.util.Arrays.copyOf(labels, n * 2);
      }
      ids[n] = id;
      labels[n] = target ? id : IGNORE;
      n++;
    }

    void add(int[] idsToAdd, boolean target) {
      for (int id : idsToAdd) {
        add(id, target);
      }
    }

    TokenizedSample build(int cap) {
      int len = cap > 0 ? Math.min(cap, n) : n;
      return new TokenizedSample(
          java.util.Arrays.copyOf(ids, len), java.util.Arrays.copyOf(labels, len));
    }
  }
}
