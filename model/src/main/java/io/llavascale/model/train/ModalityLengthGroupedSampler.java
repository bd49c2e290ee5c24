package io.llavascale.model.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The order in which an epoch visits the samples: LLaVA's {@code group_by_modality_length}
 * sampler ({@code get_modality_length_grouped_indices} in LLaVA-1.5's {@code llava_trainer.py}),
 * which the reference finetune scripts turn on with {@code --group_by_modality_length True}.
 *
 * <ul>
 *   <li>Image samples and text-only samples are each shuffled and cut into megabatches of one
 *       global batch, and each megabatch is sorted longest first.
 *   <li>The last megabatch of each modality (full or not) is held back; the other megabatches of
 *       both modalities are shuffled together, so every one of those batches holds one modality.
 *       The held-back samples, in index order, end the epoch (its only mixed batches).
 *   <li>When all samples share one modality it is LLaVA's {@code get_length_grouped_indices}: a
 *       shuffle cut into batches, each sorted longest first.
 * </ul>
 *
 * <p>Two departures, both forced by what this trainer is. LLaVA splits each megabatch into
 * world-size chunks of equal total length, one per GPU (world size = GPUs x gradient accumulation);
 * the in-JVM trainer is one process taking whole batches, where that split is the identity, so it
 * is left out. LLaVA draws its shuffles from torch's global generator; here every draw comes from
 * one generator seeded by (seed, epoch), so an epoch's order is a pure function of (seed, epoch,
 * lengths) and a resumed run replays it exactly.
 *
 * <p>A sample's length is its token count (LLaVA counts the conversation's words; with a word-level
 * tokenizer they are close, and tokens are what padding depends on), negative for text-only
 * samples, as LLaVA's {@code modality_lengths} signs them.
 */
public final class ModalityLengthGroupedSampler {
  private final int[] lengths;
  private final int batchSize;

  /**
   * @param modalityLengths per sample: its length, negated for text-only samples; never 0
   * @param batchSize       samples per update (the megabatch: one trainer, no accumulation)
   */
  public ModalityLengthGroupedSampler(int[] modalityLengths, int batchSize) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
    }
    for (int i = 0; i < modalityLengths.length; i++) {
      if (modalityLengths[i] == 0) {
        throw new IllegalArgumentException("sample " + i + " has length 0");
      }
    }
    this.lengths = modalityLengths.clone();
    this.batchSize = batchSize;
  }

  /** Reads every sample once for its length and modality. */
  public static ModalityLengthGroupedSampler of(SampleSource data, int batchSize) {
    int[] lengths = new int[data.size()];
    for (int i = 0; i < lengths.length; i++) {
      TrainingSample sample = data.get(i);
      int tokens = sample.inputIds().length;
      lengths[i] = sample.hasImage() ? tokens : -tokens;
    }
    return new ModalityLengthGroupedSampler(lengths, batchSize);
  }

  /** Every sample index once, batch after batch, for this epoch. */
  public int[] order(long seed, long epoch) {
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    int[] image = IntStream.range(0, lengths.length).filter(i -> lengths[i] > 0).toArray();
    int[] text = IntStream.range(0, lengths.length).filter(i -> lengths[i] < 0).toArray();
    if (image.length == 0 || text.length == 0) {
      return flatten(lengthGrouped(image.length > 0 ? image : text, random));
    }
    List<int[]> imageBatches = lengthGrouped(image, random);
    List<int[]> textBatches = lengthGrouped(text, random);
    int[] tail = concat(imageBatches.remove(imageBatches.size() - 1),
        textBatches.remove(textBatches.size() - 1));
    Arrays.sort(tail);
    List<int[]> full = new ArrayList<>(imageBatches);
    full.addAll(textBatches);
    List<int[]> shuffled = new ArrayList<>(full.size() + 1);
    for (int i : permutation(full.size(), random)) {
      shuffled.add(full.get(i));
    }
    shuffled.add(tail);
    return flatten(shuffled);
  }

  /** The indices shuffled and cut into megabatches, each sorted longest first (ties keep order). */
  private List<int[]> lengthGrouped(int[] indices, SplittableRandom random) {
    int[] shuffled = permutation(indices.length, random);
    List<int[]> batches = new ArrayList<>();
    for (int from = 0; from < shuffled.length; from += batchSize) {
      int to = Math.min(shuffled.length, from + batchSize);
      batches.add(IntStream.range(from, to)
          .mapToObj(k -> indices[shuffled[k]])
          .sorted(Comparator.comparingInt((Integer i) -> Math.abs(lengths[i])).reversed())
          .mapToInt(Integer::intValue)
          .toArray());
    }
    return batches;
  }

  /** Fisher-Yates over 0..size-1. */
  private static int[] permutation(int size, SplittableRandom random) {
    int[] order = IntStream.range(0, size).toArray();
    for (int i = size - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private static int[] flatten(List<int[]> batches) {
    return batches.stream().flatMapToInt(Arrays::stream).toArray();
  }
}
