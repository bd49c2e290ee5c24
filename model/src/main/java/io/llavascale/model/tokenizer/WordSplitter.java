package io.llavascale.model.tokenizer;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * The Java twin of the tokenizer.json pipeline the builder writes: special tokens are cut out
 * first, then a Lowercase normaliser and HF's BertPreTokenizer (split on whitespace, every
 * punctuation character is a word of its own). Used to count words; it must agree with the native
 * tokenizer, which a test checks.
 */
final class WordSplitter {
  private WordSplitter() {}

  static void split(String text, Consumer<String> words) {
    String rest = text;
    // Special tokens never count as words.
    for (String special : SpecialTokens.ALL) {
      if (rest.contains(special)) {
        rest = rest.replace(special, " ");
      }
    }
    String lower = rest.toLowerCase(Locale.ROOT);
    StringBuilder word = new StringBuilder();
    int i = 0;
    while (i < lower.length()) {
      int cp = lower.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        flush(word, words);
      } else if (isPunctuation(cp)) {
        flush(word, words);
        words.accept(new String(Character.toChars(cp)));
      } else {
        word.appendCodePoint(cp);
      }
    }
    flush(word, words);
  }

  private static void flush(StringBuilder word, Consumer<String> words) {
    if (word.length() > 0) {
      words.accept(word.toString());
      word.setLength(0);
    }
  }

  /** Rust's {@code is_ascii_punctuation() || is_punctuation()}, as BertPreTokenizer uses. */
  static boolean isPunctuation(int cp) {
    if (cp < 128) {
      return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96)
          || (cp >= 123 && cp <= 126);
    }
    switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
        return true;
      default:
        return false;
    }
  }
}
