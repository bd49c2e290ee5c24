package io.llavascale.model.merge;

import ai.djl.ndarray.NDManager;
import io.llavascale.model.Autograd;
import io.llavascale.model.checkpoint.ModelFiles;
import io.llavascale.model.llava.LlavaBatch;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.llava.TokenIds;
import io.llavascale.model.lora.AdapterFiles;
import io.llavascale.model.train.TrainingSample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Verifies a merge of a model the JVM can run (the tiny LLaVA) end to end: the unmerged model
 * exactly as training held it ({@link AdapterFiles#loadUnmerged}: the base, re-quantised to NF4 for
 * QLoRA, plus adapters and projector) and the merged folder ({@link ModelFiles#load}) both compute
 * logits for one seeded probe batch, and every logit must agree. The reference does not use the
 * merge's base transform, so a QLoRA adapter merged onto the unrounded base fails here.
 *
 * <p>The batch: half the samples with a random image, half text-only (both paths through the
 * model), random tokens after the image token. The tolerance is F32 rounding, which the two ways
 * of computing (x W^T + s B A x against x (W + s B A)^T) and the layers after it amplify a little:
 * {@link #RELATIVE_TOLERANCE} of the largest logit (at least 1). A merge that drops, transposes or
 * misscales an update, or lands it on the wrong base, moves logits by orders of magnitude more.
 */
public final class WholeModelProbe implements MergeVerifier {
  public static final String METHOD = "whole-model";
  /**
   * Measured on the tiny model: 5e-7 for LoRA and QLoRA merges; a QLoRA adapter landed on the
   * unrounded base instead: 0.15, 1500 times this tolerance.
   */
  public static final double RELATIVE_TOLERANCE = 1e-4;
  private static final int TOKENS = 16;

  private final long seed;
  private final int samples;

  /**
   * @param seed    seeds the probe batch
   * @param samples probe sequences, at least 2 (one with an image, one without)
   */
  public WholeModelProbe(long seed, int samples) {
    if (samples < 2) {
      throw new IllegalArgumentException("the whole-model probe needs at least 2 samples, got " + samples);
    }
    this.seed = seed;
    this.samples = samples;
  }

  @Override
  public Verification verify(Inputs inputs) throws IOException {
    Autograd.offOnThisThread();
    try (NDManager manager = NDManager.newBaseManager()) {
      TinyLlava merged = ModelFiles.load(inputs.mergedFolder(), manager);
      TinyLlava unmerged = AdapterFiles.loadUnmerged(inputs.baseFolder(), inputs.adapter().folder(), manager);
      if (!merged.config().equals(unmerged.config())) {
        throw new MergeVerificationException("merged model's config " + merged.config().toJson()
            + " is not the base's " + unmerged.config().toJson());
      }
      List<TrainingSample> batch = probeBatch(merged.config());
      float[] expected = logits(unmerged, batch);
      float[] actual = logits(merged, batch);
      double scale = 1;
      for (float v : expected) {
        scale = Math.max(scale, Math.abs(v));
      }
      double tolerance = RELATIVE_TOLERANCE * scale;
      double maxAbsDiff = 0;
      int worstAt = 0;
      for (int i = 0; i < expected.length; i++) {
        double diff = Math.abs((double) expected[i] - actual[i]);
        if (!(diff <= maxAbsDiff)) { // NaN counts as worst
          maxAbsDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff;
          worstAt = i;
        }
      }
      int vocab = merged.config().vocabSize();
      String worst = String.format(Locale.ROOT, "logit %d of position %d differs by %.3g (tolerance %.3g)",
          worstAt % vocab, worstAt / vocab, maxAbsDiff, tolerance);
      return new Verification(METHOD, 1, samples, maxAbsDiff, maxAbsDiff / tolerance, worst);
    }
  }

  private List<TrainingSample> probeBatch(TinyLlavaConfig config) {
    SplittableRandom random = new SplittableRandom(seed);
    int pixels = 3 * config.imageSize() * config.imageSize();
    List<TrainingSample> batch = new ArrayList<>();
    for (int s = 0; s < samples; s++) {
      boolean image = s % 2 == 0;
      int[] ids = new int[TOKENS];
      ids[0] = TokenIds.BOS;
      for (int i = 1; i < TOKENS; i++) {
        ids[i] = random.nextInt(TokenIds.IMAGE + 1, config.vocabSize());
      }
      float[] pixelValues = null;
      if (image) {
        ids[1] = TokenIds.IMAGE;
        pixelValues = new float[pixels];
        for (int p = 0; p < pixels; p++) {
          pixelValues[p] = (float) random.nextDouble();
        }
      }
      int[] labels = new int[TOKENS];
      Arrays.fill(labels, TrainingSample.IGNORE);
      batch.add(new TrainingSample("probe-" + s, ids, labels, pixelValues));
    }
    return batch;
  }

  private static float[] logits(TinyLlava model, List<TrainingSample> samples) {
    try (NDManager scope = model.manager().newSubManager()) {
      LlavaBatch batch = LlavaBatch.of(samples, model.config());
      return model.logits(batch.inputs(scope, model.config())).toFloatArray();
    }
  }
}
