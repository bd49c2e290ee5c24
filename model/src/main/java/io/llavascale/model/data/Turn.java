package io.llavascale.model.data;

/** One conversation turn as in the LLaVA JSON: from = human | gpt. */
public record Turn(String from, String value) {
  public static final String HUMAN = "human";
  public static final String GPT = "gpt";

  public boolean isHuman() {
    return HUMAN.equals(from);
  }
}
