package io.llavascale.model.tokenizer;

import java.util.List;

/** The fixed special token ids every tokenizer of the project uses; the trainer relies on them. */
public final class SpecialTokens {
  public static final int PAD = 0;
  public static final int UNK = 1;
  public static final int BOS = 2;
  public static final int EOS = 3;
  public static final int IMAGE = 4;

  public static final String PAD_TOKEN = "<pad>";
  public static final String UNK_TOKEN = "<unk>";
  public static final String BOS_TOKEN = "<s>";
  public static final String EOS_TOKEN = "</s>";
  public static final String IMAGE_TOKEN = "<image>";

  /** Index = id. */
  public static final List<String> ALL =
      List.of(PAD_TOKEN, UNK_TOKEN, BOS_TOKEN, EOS_TOKEN, IMAGE_TOKEN);

  private SpecialTokens() {}
}
