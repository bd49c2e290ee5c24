package io.llavascale.model.train;

/**
 * Random access to a stage's samples, so the training loop can walk a seeded order and a
 * checkpoint can record its cursor as a plain index.
 */
public interface SampleSource {
  int size();

  TrainingSample get(int index);
}
