package io.llavascale.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.llavascale.model.Scalars;
import io.llavascale.model.llava.Dense;
import io.llavascale.model.llava.DenseAdapter;
import io.llavascale.model.llava.InitRule;
import io.llavascale.model.llava.LlavaBlock;
import io.llavascale.model.llava.StepClock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * One layer's LoRA term, built as PEFT builds it: {@code (alpha / r) * B(A(dropout(x)))} with A a
 * bias-free [r, in] linear drawn kaiming-uniform (a = sqrt 5, so U(-1/sqrt(in), 1/sqrt(in))) and B
 * a bias-free [out, r] linear of zeros, so an adapted layer starts out equal to its base.
 *
 * <p>Dropout masks come from a generator seeded by (model seed, training step, layer path), not
 * from the engine's RNG: a run resumed at step k draws the same masks as one that never stopped.
 */
final class LoraAdapter implements DenseAdapter {
  static final String A = "lora_A";
  static final String B = "lora_B";

  private final Dense a;
  private final Dense b;
  private final float scale;
  private final float dropout;
  private final long dropoutSeed;
  private final StepClock clock;

  LoraAdapter(Dense layer, LoraConfig config, long seed, String path, StepClock clock) {
    this.a = new Dense(layer.inFeatures(), config.rank(),
        InitRule.uniform(1 / Math.sqrt(layer.inFeatures())), false);
    this.b = new Dense(config.rank(), layer.outFeatures(), InitRule.constant(0f), false);
    this.scale = (float) config.scale();
    this.dropout = (float) config.dropout();
    this.dropoutSeed = seed * 0x9E3779B97F4A7C15L ^ path.hashCode();
    this.clock = clock;
  }

  /** Draws A and B from (seed, parameter path) once they are children of the layer at path. */
  void initialize(long seed, NDManager manager, String path) {
    blocks().forEach((name, block) -> block.initializeFromSeed(seed, manager, path + "." + name + "."));
  }

  @Override
  public Map<String, LlavaBlock> blocks() {
    Map<String, LlavaBlock> blocks = new LinkedHashMap<>();
    blocks.put(A, a);
    blocks.put(B, b);
    return blocks;
  }

  @Override
  public NDArray apply(NDArray x) {
    NDArray term = b.apply(a.apply(dropped(x)));
    return Scalars.mul(term, scale);
  }

  private NDArray dropped(NDArray x) {
    OptionalLong step = clock.step();
    if (dropout == 0 || step.isEmpty()) {
      return x;
    }
    SplittableRandom rng = new SplittableRandom(dropoutSeed + step.getAsLong() * 0xBF58476D1CE4E5B9L);
    float[] mask = new float[Math.toIntExact(x.size())];
    float kept = 1 / (1 - dropout);
    for (int i = 0; i < mask.length; i++) {
      mask[i] = rng.nextFloat() < dropout ? 0f : kept;
    }
    return x.mul(x.getManager().create(mask, x.getShape()));
  }
}
