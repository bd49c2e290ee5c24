package io.llavascale.model.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Multiple-choice questions, MMBench style, with circular evaluation: a question with N options is
 * asked N times, its options rotated one place each time (A B C D, then B C D A, ...), and counts
 * as right only when every rotation is answered right. A model that guesses, or favours a
 * position, passes a single asking 1 / N of the time but all N rotations almost never. Language-only
 * sets (MMLU style) ask once, in the given order.
 *
 * <p>Pure: prompts are text, answers are option indices; the caller asks the model.
 */
public final class MultipleChoice {
  /** Options beyond Z have no letter. */
  public static final int MAX_OPTIONS = 26;

  /**
   * @param answer index of the right option
   */
  public record Question(String id, String category, String text, List<String> options, int answer) {
    public Question {
      options = List.copyOf(options);
      if (options.size() < 2 || options.size() > MAX_OPTIONS) {
        throw new IllegalArgumentException("question " + id + " has " + options.size()
            + " options; 2 to " + MAX_OPTIONS + " are allowed");
      }
      if (answer < 0 || answer >= options.size()) {
        throw new IllegalArgumentException("question " + id + ": answer index " + answer
            + " is not one of its " + options.size() + " options");
      }
    }
  }

  /**
   * One asking of a question.
   *
   * @param shift   places the options moved left (0 = as given)
   * @param options the options in the order they are shown
   * @param answer  index of the right option in that order
   * @param prompt  the question and its lettered options, as the model reads them
   */
  public record Rotation(int shift, List<String> options, int answer, String prompt) {}

  private final CategoryTallies circular = new CategoryTallies();
  private final CategoryTallies firstPass = new CategoryTallies();

  /** The askings of a question: every rotation when circular, else the given order only. */
  public static List<Rotation> rotations(Question question, boolean circular) {
    int n = question.options().size();
    List<Rotation> out = new ArrayList<>();
    for (int shift = 0; shift < (circular ? n : 1); shift++) {
      List<String> shown = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        shown.add(question.options().get((i + shift) % n));
      }
      out.add(new Rotation(shift, List.copyOf(shown), (question.answer() - shift + n) % n,
          prompt(question.text(), shown)));
    }
    return out;
  }

  /** "question\nA. first\nB. second ..." (MMBench's layout). */
  public static String prompt(String question, List<String> options) {
    StringBuilder s = new StringBuilder(question.strip());
    for (int i = 0; i < options.size(); i++) {
      s.append('\n').append(letter(i)).append(". ").append(options.get(i).strip());
    }
    return s.toString();
  }

  public static char letter(int index) {
    if (index < 0 || index >= MAX_OPTIONS) {
      throw new IllegalArgumentException("no option letter for index " + index);
    }
    return (char) ('A' + index);
  }

  /** "B", "b" or "B." -> 1; -1 when the text is not a single option letter. */
  public static int index(String letter) {
    String s = letter.strip().toUpperCase(Locale.ROOT);
    if (s.endsWith(".") || s.endsWith(")")) {
      s = s.substring(0, s.length() - 1);
    }
    return s.length() == 1 && s.charAt(0) >= 'A' && s.charAt(0) <= 'Z' ? s.charAt(0) - 'A' : -1;
  }

  /**
   * Scores one question from the option chosen in each of its askings.
   *
   * @param rotations what {@link #rotations} returned for it
   * @param chosen    the option index chosen in each rotation, in the same order
   * @return whether every asking was answered right
   */
  public boolean add(String category, List<Rotation> rotations, int[] chosen) {
    if (rotations.isEmpty() || chosen.length != rotations.size()) {
      throw new IllegalArgumentException(chosen.length + " choices for " + rotations.size() + " rotations");
    }
    boolean all = true;
    for (int i = 0; i < chosen.length; i++) {
      all &= chosen[i] == rotations.get(i).answer();
    }
    circular.add(category, all);
    firstPass.add(category, chosen[0] == rotations.get(0).answer());
    return all;
  }

  /** Right only when every rotation was: MMBench's CircularEval. */
  public CategoryTallies circular() {
    return circular;
  }

  /** Right when the first asking (options as given) was: MMBench's VanillaEval, and MMLU's accuracy. */
  public CategoryTallies firstPass() {
    return firstPass;
  }
}
