package io.llavascale.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ModalityLengthGroupedSamplerTest {
  private static final int BATCH = 4;

  /** 22 image samples and 11 text-only samples (every third) of random lengths. */
  private static int[] mixedLengths() {
    Random random = new Random(5);
    int[] lengths = new int[33];
    for (int i = 0; i < lengths.length; i++) {
      int length = 1 + random.nextInt(50);
      lengths[i] = i % 3 == 2 ? -length : length;
    }
    return lengths;
  }

  @Test
  void oneModalityIsAShuffleCutIntoBatchesSortedLongestFirst() {
    int[] lengths = IntStream.range(0, 30).map(i -> 1 + (i * 7) % 13).toArray();
    int[] order = new ModalityLengthGroupedSampler(lengths, BATCH).order(3, 0);
    assertPermutation(order, lengths.length);
    for (int from = 0; from < order.length; from += BATCH) {
      for (int k = from + 1; k < Math.min(order.length, from + BATCH); k++) {
        assertTrue(lengths[order[k - 1]] >= lengths[order[k]], "batch at " + from + " sorted");
      }
    }
    assertFalse(Arrays.equals(IntStream.range(0, 30).toArray(), order), "shuffled");
  }

  @Test
  void fullBatchesHoldOneModalityAndTheHeldBackSamplesEndTheEpochInIndexOrder() {
    int[] lengths = mixedLengths();
    int images = (int) Arrays.stream(lengths).filter(l -> l > 0).count();
    int texts = lengths.length - images;
    int[] order = new ModalityLengthGroupedSampler(lengths, BATCH).order(11, 2);
    assertPermutation(order, lengths.length);

    // 22 images: 5 full megabatches and a last one of 2; 11 texts: 2 full and a last one of 3.
    int tail = (images - (images - 1) / BATCH * BATCH) + (texts - (texts - 1) / BATCH * BATCH);
    assertEquals(5, tail);
    int head = order.length - tail;
    assertEquals(0, head % BATCH);
    int imageBatches = 0;
    for (int from = 0; from < head; from += BATCH) {
      int[] batch = Arrays.copyOfRange(order, from, from + BATCH);
      boolean image = lengths[batch[0]] > 0;
      imageBatches += image ? 1 : 0;
      for (int k = 0; k < BATCH; k++) {
        assertEquals(image, lengths[batch[k]] > 0, "batch at " + from + " mixes modalities");
        if (k > 0) {
          assertTrue(Math.abs(lengths[batch[k - 1]]) >= Math.abs(lengths[batch[k]]));
        }
      }
    }
    assertEquals(5, imageBatches);
    int[] held = Arrays.copyOfRange(order, head, order.length);
    int[] sorted = held.clone();
    Arrays.sort(sorted);
    assertArrayEquals(sorted, held, "held-back samples in index order");
    assertEquals(2, Arrays.stream(held).filter(i -> lengths[i] > 0).count());
  }

  @Test
  void anEpochsOrderIsAPureFunctionOfSeedAndEpoch() {
    int[] lengths = mixedLengths();
    ModalityLengthGroupedSampler sampler = new ModalityLengthGroupedSampler(lengths, BATCH);
    assertArrayEquals(sampler.order(7, 4), new ModalityLengthGroupedSampler(lengths, BATCH).order(7, 4));
    assertFalse(Arrays.equals(sampler.order(7, 4), sampler.order(7, 5)));
    assertFalse(Arrays.equals(sampler.order(7, 4), sampler.order(8, 4)));
  }

  @Test
  void aFullLastMegabatchIsHeldBackToo() {
    // 8 images and 4 texts at batch 4: LLaVA always holds back each modality's last megabatch.
    int[] lengths = {5, 6, -2, 7, 8, -3, 9, 10, -4, 11, 12, -5};
    int[] order = new ModalityLengthGroupedSampler(lengths, BATCH).order(1, 0);
    int[] held = Arrays.copyOfRange(order, 4, 12);
    assertEquals(4, Arrays.stream(held).filter(i -> lengths[i] < 0).count());
    assertArrayEquals(held.clone(), Arrays.stream(held).sorted().toArray());
    assertTrue(Arrays.stream(order, 0, 4).allMatch(i -> lengths[i] > 0));
  }

  @Test
  void refusesZeroLengthSamples() {
    assertThrows(IllegalArgumentException.class,
        () -> new ModalityLengthGroupedSampler(new int[] {3, 0}, BATCH));
  }

  private static void assertPermutation(int[] order, int size) {
    Set<Integer> seen = new HashSet<>();
    for (int i : order) {
      assertTrue(i >= 0 && i < size && seen.add(i), "index " + i);
    }
    assertEquals(size, seen.size());
  }
}
