package io.llavascale.model.llava;

/** Special token ids fixed by the tokenizer contract. */
public final class TokenIds {
  public static final int PAD = 0;
  public static final int UNK = 1;
  public static final int BOS = 2;
  public static final int EOS = 3;
  public static final int IMAGE = 4;

  private TokenIds() {}
}
