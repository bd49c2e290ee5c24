package io.llavascale.model.llava;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.llavascale.model.train.TrainingSample;
import java.util.Arrays;
import java.util.List;

/**
 * A padded batch laid out for {@link TinyLlava}, computed in plain Java so the tensor side is one
 * gather. Each sample's {@code <image>} token is replaced in place by that image's patch
 * embeddings: {@link #splice} maps every output position to a row of the pool [all token
 * embeddings; all image patch embeddings]. Sequences are right padded; pad positions reuse row 0
 * (causal attention keeps them out of every real position's context, and they carry no loss).
 * Sequences longer than maxSeqLen are cut on the right, as the reference trainer does.
 *
 * @param batchSize   samples
 * @param textLength  longest token sequence before expansion
 * @param seqLength   longest sequence after expansion
 * @param tokenIds    [batchSize, textLength] ids, padded with {@link TokenIds#PAD}
 * @param images      [imageCount, 3, size, size] pixels of the samples that have one, in order
 * @param imageCount  samples with an image
 * @param splice      [batchSize, seqLength] pool row for every position
 * @param targets     [batchSize, seqLength] next-token label for every position, or IGNORE
 * @param lengths     real (unpadded) length of each expanded sequence
 */
public record LlavaBatch(
    int batchSize,
    int textLength,
    int seqLength,
    long[] tokenIds,
    float[] images,
    int imageCount,
    long[] splice,
    long[] targets,
    int[] lengths) {

  public static LlavaBatch of(List<TrainingSample> samples, TinyLlavaConfig config) {
    int batch = samples.size();
    int patches = config.imageTokens();
    int pixels = 3 * config.imageSize() * config.imageSize();
    int textLength = 0;
    int seqLength = 0;
    int imageCount = 0;
    int[] lengths = new int[batch];
    for (int b = 0; b < batch; b++) {
      TrainingSample sample = samples.get(b);
      validate(sample, pixels);
      int length = sample.inputIds().length + (sample.hasImage() ? patches - 1 : 0);
      lengths[b] = Math.min(length, config.maxSeqLen());
      textLength = Math.max(textLength, sample.inputIds().length);
      seqLength = Math.max(seqLength, lengths[b]);
      imageCount += sample.hasImage() ? 1 : 0;
    }

    long[] tokenIds = new long[batch * textLength];
    float[] images = new float[imageCount * pixels];
    long[] splice = new long[batch * seqLength];
    long[] labels = new long[batch * seqLength];
    Arrays.fill(labels, TrainingSample.IGNORE);
    long imageRows = (long) batch * textLength;
    int image = 0;
    for (int b = 0; b < batch; b++) {
      TrainingSample sample = samples.get(b);
      int[] ids = sample.inputIds();
      for (int i = 0; i < ids.length; i++) {
        tokenIds[b * textLength + i] = ids[i];
      }
      int pos = 0;
      for (int i = 0; i < ids.length && pos < lengths[b]; i++) {
        if (ids[i] == TokenIds.IMAGE) {
          for (int p = 0; p < patches && pos < lengths[b]; p++, pos++) {
            splice[b * seqLength + pos] = imageRows + (long) image * patches + p;
          }
        } else {
          splice[b * seqLength + pos] = (long) b * textLength + i;
          labels[b * seqLength + pos] = sample.labels()[i];
          pos++;
        }
      }
      if (sample.hasImage()) {
        System.arraycopy(sample.image(), 0, images, image * pixels, pixels);
        image++;
      }
    }
    return new LlavaBatch(
        batch, textLength, seqLength, tokenIds, images, imageCount, splice,
        shiftLeft(labels, batch, seqLength), lengths);
  }

  /** Position t predicts the label at t + 1 (the HF convention: labels align with inputs). */
  private static long[] shiftLeft(long[] labels, int batch, int seqLength) {
    long[] targets = new long[labels.length];
    for (int b = 0; b < batch; b++) {
      int row = b * seqLength;
      System.arraycopy(labels, row + 1, targets, row, seqLength - 1);
      targets[row + seqLength - 1] = TrainingSample.IGNORE;
    }
    return targets;
  }

  private static void validate(TrainingSample sample, int pixels) {
    int[] ids = sample.inputIds();
    if (sample.labels().length != ids.length) {
      throw new IllegalArgumentException(
          "sample " + sample.id() + ": labels and inputIds differ in length");
    }
    int imageTokens = 0;
    for (int id : ids) {
      imageTokens += id == TokenIds.IMAGE ? 1 : 0;
    }
    int expected = sample.hasImage() ? 1 : 0;
    if (imageTokens != expected) {
      throw new IllegalArgumentException(
          "sample " + sample.id() + " has " + imageTokens + " <image> tokens, expected " + expected);
    }
    if (sample.hasImage() && sample.image().length != pixels) {
      throw new IllegalArgumentException(
          "sample " + sample.id() + " has " + sample.image().length + " pixel values, expected "
              + pixels);
    }
  }

  /** Non-pad positions, text and image tokens together; what tokens/s counts. */
  public int tokenCount() {
    int total = 0;
    for (int length : lengths) {
      total += length;
    }
    return total;
  }

  /** Positions that carry a loss. */
  public int targetCount() {
    int count = 0;
    for (long target : targets) {
      count += target == TrainingSample.IGNORE ? 0 : 1;
    }
    return count;
  }

  /** [tokenIds, images, splice] in {@code scope}, the inputs of {@link TinyLlava#logits}. */
  public NDList inputs(NDManager scope, TinyLlavaConfig config) {
    int size = config.imageSize();
    return new NDList(
        scope.create(tokenIds, new Shape(batchSize, textLength)),
        scope.create(images, new Shape(imageCount, 3, size, size)),
        scope.create(splice, new Shape(batchSize, seqLength)));
  }
}
