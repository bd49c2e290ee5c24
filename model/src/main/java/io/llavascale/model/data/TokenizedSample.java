package io.llavascale.model.data;

/** Token ids and labels of one formatted conversation (labels -100 where no loss is taken). */
public record TokenizedSample(int[] inputIds, int[] labels) {
  public int targetTokens() {
    int n = 0;
    for (int l : labels) {
      if (l != ConversationFormatter.IGNORE) {
        n++;
      }
    }
    return n;
  }
}
