package io.llavascale.model.llava;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * How a parameter's first values are drawn. Values come from a Java RNG seeded by (model seed,
 * parameter path), never from the engine's RNG, so a model is reproducible from its seed alone.
 */
@FunctionalInterface
public interface InitRule {
  float[] sample(int count, RandomGenerator rng);

  static InitRule normal(double std) {
    return (count, rng) -> {
      float[] values = new float[count];
      for (int i = 0; i < count; i++) {
        values[i] = (float) (rng.nextGaussian() * std);
      }
      return values;
    };
  }

  /** Uniform on [-bound, bound). */
  static InitRule uniform(double bound) {
    return (count, rng) -> {
      float[] values = new float[count];
      for (int i = 0; i < count; i++) {
        values[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
      }
      return values;
    };
  }

  static InitRule constant(float value) {
    return (count, rng) -> {
      float[] values = new float[count];
      Arrays.fill(values, value);
      return values;
    };
  }
}
