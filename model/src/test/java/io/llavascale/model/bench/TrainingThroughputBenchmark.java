package io.llavascale.model.bench;

import ai.djl.ndarray.NDManager;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.llava.TokenIds;
import io.llavascale.model.train.SampleSource;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.model.train.TrainingLoop;
import io.llavascale.model.train.TrainingSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Throughput of the tiny config, not a pass/fail test. Run with
 * {@code mvn -o -pl model test -Dtest=TrainingThroughputBenchmark -Dsurefire.excludedGroups=}.
 */
@Tag("slow")
class TrainingThroughputBenchmark {
  private static final int VOCAB = 256;
  private static final int TEXT_TOKENS = 20;
  private static final int WARMUP = 20;
  private static final int MEASURED = 100;

  /** BENCH_THREADS=1 compares one intra-op thread; it must be set before the engine starts. */
  @BeforeAll
  static void threads() {
    String threads = System.getenv("BENCH_THREADS");
    if (threads != null) {
      System.setProperty("ai.djl.pytorch.num_threads", threads);
    }
  }

  @Test
  void measure() throws IOException {
    for (int resolution : new int[] {224, 336}) {
      for (TrainerConfig.Stage stage : TrainerConfig.Stage.values()) {
        run(TinyLlavaConfig.forResolution(resolution, VOCAB), stage);
      }
    }
  }

  private static void run(TinyLlavaConfig config, TrainerConfig.Stage stage) throws IOException {
    SampleSource data = samples(config, 16 * (WARMUP + MEASURED));
    long[] stepEnds = new long[WARMUP + MEASURED + 1];
    Path dir = Files.createTempDirectory("bench");
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava model = TinyLlava.create(config, 1, manager);
      long params = model.namedParameters().values().stream()
          .mapToLong(p -> p.getArray().size()).sum();
      TrainerConfig trainer = new TrainerConfig(stage, 1e-3, 0.03, "cosine", 0, 16, 1, 0, 1, 0);
      stepEnds[0] = System.nanoTime();
      new TrainingLoop(model, trainer, data, dir)
          .onStep((step, total, loss, tokensPerSec) -> stepEnds[(int) step] = System.nanoTime())
          .run(null);
      // Median step time resists the other jobs sharing these cores; wall time shows the mean.
      double[] steps = new double[MEASURED];
      for (int i = 0; i < MEASURED; i++) {
        steps[i] = (stepEnds[WARMUP + i + 1] - stepEnds[WARMUP + i]) / 1e9;
      }
      Arrays.sort(steps);
      double median = steps[MEASURED / 2];
      double wall = (stepEnds[WARMUP + MEASURED] - stepEnds[WARMUP]) / 1e9;
      int tokensPerStep = 16 * (TEXT_TOKENS + 2 + config.imageTokens());
      System.out.printf(
          "BENCH image tokens=%d stage=%s params=%d: median %.1f steps/s (%.0f tokens/s), wall %.1f steps/s%n",
          config.imageTokens(), stage, params, 1 / median, tokensPerStep / median, MEASURED / wall);
    }
  }

  /** Samples shaped like stage-2 data: BOS, image, ~20 text tokens, EOS; half the labels taken. */
  private static SampleSource samples(TinyLlavaConfig config, int count) {
    Random random = new Random(3);
    float[] image = new float[3 * config.imageSize() * config.imageSize()];
    for (int i = 0; i < image.length; i++) {
      image[i] = random.nextFloat();
    }
    TrainingSample[] samples = new TrainingSample[count];
    for (int s = 0; s < count; s++) {
      int[] ids = new int[TEXT_TOKENS + 3];
      int[] labels = new int[ids.length];
      ids[0] = TokenIds.BOS;
      ids[1] = TokenIds.IMAGE;
      for (int i = 2; i < ids.length - 1; i++) {
        ids[i] = 5 + random.nextInt(VOCAB - 5);
      }
      ids[ids.length - 1] = TokenIds.EOS;
      for (int i = 0; i < ids.length; i++) {
        labels[i] = i > ids.length / 2 ? ids[i] : TrainingSample.IGNORE;
      }
      samples[s] = new TrainingSample("b" + s, ids, labels, image);
    }
    return new SampleSource() {
      @Override
      public int size() {
        return count;
      }

      @Override
      public TrainingSample get(int index) {
        return samples[index];
      }
    };
  }
}
