package io.llavascale.model.train;

/**
 * One tokenized training sample, as data prep wrote it.
 *
 * @param id       the source record id
 * @param inputIds token ids; image samples hold exactly one {@code <image>} token, which the model
 *                 expands in place into the image's patch embeddings
 * @param labels   same length as inputIds; {@link #IGNORE} where no loss is taken (prompt turns,
 *                 the image token)
 * @param image    pixels as 3 x size x size floats in [0, 1] (CHW), or null for text-only samples
 */
public record TrainingSample(String id, int[] inputIds, int[] labels, float[] image) {
  /** Label value that takes no loss, as in the reference code. */
  public static final int IGNORE = -100;

  public boolean hasImage() {
    return image != null;
  }
}
