package io.llavascale.model.data;

import io.llavascale.model.train.TrainingSample;

/**
 * A sample as the shards store it.
 *
 * @param pixels    planar RGB bytes, 3 x imageSize x imageSize (CHW), or null for text-only
 * @param imageSize side of the image in pixels, 0 for text-only
 */
public record ShardRecord(String id, int[] inputIds, int[] labels, byte[] pixels, int imageSize) {
  public ShardRecord {
    if (inputIds.length != labels.length) {
      throw new IllegalArgumentException("inputIds and labels differ in length");
    }
    if ((pixels == null) != (imageSize == 0)
        || (pixels != null && pixels.length != 3 * imageSize * imageSize)) {
      throw new IllegalArgumentException("pixels do not match image size " + imageSize);
    }
  }

  public static ShardRecord of(TrainingSample s) {
    if (s.image() == null) {
      return new ShardRecord(s.id(), s.inputIds(), s.labels(), null, 0);
    }
    return new ShardRecord(s.id(), s.inputIds(), s.labels(),
        ImagePreprocessor.toChwBytes(s.image()), ImagePreprocessor.sideOf(s.image().length));
  }

  public TrainingSample toTrainingSample() {
    return new TrainingSample(
        id, inputIds, labels, pixels == null ? null : ImagePreprocessor.toChwFloats(pixels));
  }
}
