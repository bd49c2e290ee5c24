package io.llavascale.model.tokenizer;

/** Text to ids with no special tokens added; what the conversation formatter needs. */
@FunctionalInterface
public interface TokenEncoder {
  int[] encode(String text);
}
