package io.llavascale.model.testing;

import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.llava.TokenIds;
import io.llavascale.model.train.SampleSource;
import io.llavascale.model.train.TrainingSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A tiny synthetic VQA task for tests: one coloured square on a light background, the question
 * "what colour ?", the answer one colour token then EOS. Text-only samples ask "say hello".
 */
public final class ColourSquares implements SampleSource {
  public static final int WHAT = 5;
  public static final int COLOUR = 6;
  public static final int QUESTION = 7;
  public static final int SAY = 8;
  public static final int HELLO = 9;
  /** Answer tokens 10..13: red, green, blue, yellow. */
  public static final int FIRST_COLOUR = 10;
  public static final int VOCAB = 16;

  private static final float[][] RGB = {
      {0.9f, 0.1f, 0.1f}, {0.1f, 0.8f, 0.1f}, {0.1f, 0.2f, 0.9f}, {0.9f, 0.85f, 0.1f}};

  private final List<TrainingSample> samples = new ArrayList<>();
  private final List<Integer> answers = new ArrayList<>();

  /**
   * @param textOnlyEvery every n-th sample is text-only (0 for none)
   */
  public ColourSquares(int count, long seed, int imageSize, int textOnlyEvery) {
    Random random = new Random(seed);
    for (int i = 0; i < count; i++) {
      if (textOnlyEvery > 0 && i % textOnlyEvery == textOnlyEvery - 1) {
        samples.add(new TrainingSample("text-" + i,
            new int[] {TokenIds.BOS, SAY, HELLO, TokenIds.EOS},
            new int[] {TrainingSample.IGNORE, TrainingSample.IGNORE, HELLO, TokenIds.EOS}, null));
        answers.add(HELLO);
        continue;
      }
      int colour = random.nextInt(RGB.length);
      int answer = FIRST_COLOUR + colour;
      samples.add(new TrainingSample("img-" + i,
          prompt(answer, TokenIds.EOS),
          new int[] {TrainingSample.IGNORE, TrainingSample.IGNORE, TrainingSample.IGNORE,
              TrainingSample.IGNORE, TrainingSample.IGNORE, answer, TokenIds.EOS},
          image(imageSize, RGB[colour], random)));
      answers.add(answer);
    }
  }

  public static ColourSquares forConfig(TinyLlavaConfig config, int count, long seed) {
    return new ColourSquares(count, seed, config.imageSize(), 0);
  }

  /** The question as a prompt, followed by the given extra tokens. */
  public static int[] prompt(int... extra) {
    int[] head = {TokenIds.BOS, TokenIds.IMAGE, WHAT, COLOUR, QUESTION};
    int[] ids = Arrays.copyOf(head, head.length + extra.length);
    System.arraycopy(extra, 0, ids, head.length, extra.length);
    return ids;
  }

  /** A small tiny-model config over this task's vocabulary. */
  public static TinyLlavaConfig tinyConfig(int hidden) {
    return new TinyLlavaConfig(56, 14, 32, hidden, 2, 4, hidden * 2, VOCAB, 48);
  }

  static float[] image(int size, float[] rgb, Random random) {
    float[] pixels = new float[3 * size * size];
    Arrays.fill(pixels, 0.92f);
    int side = size / 4 + random.nextInt(size / 4);
    int top = random.nextInt(size - side);
    int left = random.nextInt(size - side);
    for (int c = 0; c < 3; c++) {
      for (int y = top; y < top + side; y++) {
        for (int x = left; x < left + side; x++) {
          pixels[(c * size + y) * size + x] = rgb[c];
        }
      }
    }
    return pixels;
  }

  public int answer(int index) {
    return answers.get(index);
  }

  @Override
  public int size() {
    return samples.size();
  }

  @Override
  public TrainingSample get(int index) {
    return samples.get(index);
  }
}
