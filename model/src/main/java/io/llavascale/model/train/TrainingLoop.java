package io.llavascale.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.llavascale.model.Autograd;
import io.llavascale.model.checkpoint.CheckpointFiles;
import io.llavascale.model.checkpoint.TrainingState;
import io.llavascale.model.llava.LlavaBatch;
import io.llavascale.model.llava.StepClock;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.lora.LoraLayers;
import io.llavascale.model.optim.AdamW;
import io.llavascale.model.optim.GradientClipping;
import io.llavascale.model.optim.LrSchedule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training stage, written as an explicit loop: pick the batch for this step from the epoch's
 * seeded order (LLaVA's modality-grouped sampler, {@link ModalityLengthGroupedSampler}), forward,
 * masked cross-entropy, backward, AdamW at the schedule's rate, report, checkpoint when due or
 * when asked to stop.
 *
 * <p>Resume is exact: the data order is a pure function of (seed, epoch) and the samples'
 * lengths, the rate a pure function of the step, LoRA dropout masks a pure function of (seed, step, layer), and a checkpoint holds
 * the trainable weights and AdamW moments bit for bit. So a run stopped at step k and resumed
 * repeats the uninterrupted run's losses. The model must come in with its frozen parts as they
 * were (reproduced from the seed, or loaded from the previous stage's output) and, for LoRA or
 * QLoRA, already adapted ({@link Tuning#adapt}); only adapters and projector are then trained and
 * checkpointed, never the base.
 */
public final class TrainingLoop {
  private static final String STEP_FOLDER = "step-%08d";
  private static final Logger log = LoggerFactory.getLogger(TrainingLoop.class);
  /** The reference trainer's default (Hugging Face max_grad_norm). */
  static final double MAX_GRAD_NORM = 1.0;
  /** More non-finite losses in a row than this is divergence, not a bad batch. */
  static final int MAX_NON_FINITE_IN_A_ROW = 5;

  private final TinyLlava model;
  private final TrainerConfig config;
  private final SampleSource data;
  private final Path checkpointRoot;
  private StepListener stepListener = (step, total, loss, tokensPerSec) -> {};
  private CheckpointListener checkpointListener = (step, folder) -> {};
  private BooleanSupplier stopRequested = () -> false;

  /** Checkpoints go to {@code checkpointRoot/step-<8-digit step>/}. */
  public TrainingLoop(TinyLlava model, TrainerConfig config, SampleSource data, Path checkpointRoot) {
    if (data.size() == 0) {
      throw new IllegalArgumentException("no training samples");
    }
    this.model = model;
    this.config = config;
    this.data = data;
    this.checkpointRoot = checkpointRoot;
  }

  public TrainingLoop onStep(StepListener listener) {
    this.stepListener = listener;
    return this;
  }

  public TrainingLoop onCheckpoint(CheckpointListener listener) {
    this.checkpointListener = listener;
    return this;
  }

  /** Polled after every update; once true, the loop checkpoints and returns. */
  public TrainingLoop stopWhen(BooleanSupplier stopRequested) {
    this.stopRequested = stopRequested;
    return this;
  }

  public long totalSteps() {
    return config.totalSteps(data.size());
  }

  /** Trains from step 0; see {@link #run(Path)}. */
  public TrainingOutcome run() throws IOException {
    return run(null);
  }

  /**
   * Trains to the end or until a stop is requested.
   *
   * @param resumeFrom a local checkpoint folder written by this loop, or null to start fresh
   */
  public TrainingOutcome run(Path resumeFrom) throws IOException {
    Autograd.offOnThisThread();
    long total = totalSteps();
    long stepsPerEpoch = (data.size() + config.batchSize() - 1) / config.batchSize();
    LrSchedule schedule = config.lrSchedule(total);
    String configHash = configHash();
    // Freeze after the model is built or loaded: initialisation leaves every parameter trainable.
    Map<String, Parameter> trainable = model.trainOnly(config::trains);
    if (config.tuning().adapters() && trainable.keySet().stream().noneMatch(LoraLayers::isAdapterParameter)) {
      throw new IllegalStateException(config.tuning().method()
          + " tuning needs a model with adapters attached (Tuning.adapt); this one has none");
    }

    try (AdamW optimizer = AdamW.withDefaults(config.weightDecay(), model.manager())) {
      long step = 0;
      if (resumeFrom != null) {
        TrainingState saved = CheckpointFiles.readState(resumeFrom);
        if (!saved.configHash().equals(configHash) || saved.totalSteps() != total) {
          throw new IllegalStateException("checkpoint " + resumeFrom + " was written with a"
              + " different model config, trainer config or data size; it cannot resume this run");
        }
        step = CheckpointFiles.read(resumeFrom, trainable, optimizer).step();
      }
      long resumedFrom = step;
      double loss = Double.NaN;
      int nonFiniteInARow = 0;
      ModalityLengthGroupedSampler sampler = ModalityLengthGroupedSampler.of(data, config.batchSize());
      int[] order = null;
      long orderEpoch = -1;

      while (step < total) {
        long epoch = step / stepsPerEpoch;
        if (epoch != orderEpoch) {
          order = sampler.order(config.seed(), epoch);
          orderEpoch = epoch;
        }
        List<TrainingSample> batch = batchAt(order, (int) (step % stepsPerEpoch));

        long start = System.nanoTime();
        StepResult result = trainStep(step, batch, trainable, optimizer, schedule.at(step));
        double seconds = (System.nanoTime() - start) / 1e9;
        if (result.updated) {
          loss = result.loss;
          nonFiniteInARow = 0;
        } else if (++nonFiniteInARow > MAX_NON_FINITE_IN_A_ROW) {
          throw new TrainingDivergedException(step + 1, result.loss);
        } else {
          log.warn("step {}: non-finite loss or gradient (loss {}); update skipped", step + 1, result.loss);
        }
        step++;
        stepListener.onStep(step, total, loss, result.tokens / seconds);

        boolean stop = stopRequested.getAsBoolean();
        boolean due = config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0;
        if (due || stop) {
          TrainingState state = new TrainingState(step, total, step / stepsPerEpoch,
              step % stepsPerEpoch * config.batchSize(), config.seed(), schedule.at(step), configHash);
          checkpoint(step, trainable, optimizer, state);
        }
        if (stop) {
          return new TrainingOutcome(step, loss, resumedFrom, step < total);
        }
      }
      return new TrainingOutcome(step, loss, resumedFrom, false);
    }
  }

  /** @param updated false when a non-finite loss or gradient skipped the update */
  private record StepResult(double loss, int tokens, boolean updated) {}

  /** One update in its own NDManager scope, so nothing from the step outlives it. */
  private StepResult trainStep(long step, List<TrainingSample> samples,
      Map<String, Parameter> trainable, AdamW optimizer, double lr) {
    LlavaBatch batch = LlavaBatch.of(samples, model.config());
    try (NDManager scope = model.manager().newSubManager();
        StepClock.InStep inStep = model.clock().enter(step)) {
      NDList inputs = batch.inputs(scope, model.config());
      NDArray targets = scope.create(batch.targets(), new Shape(batch.batchSize(), batch.seqLength()));
      double loss;
      try (GradientCollector collector = scope.getEngine().newGradientCollector()) {
        NDArray logits = model.logits(inputs);
        NDArray lossArray = MaskedCrossEntropy.mean(logits, targets, batch.targetCount());
        collector.backward(lossArray);
        loss = lossArray.getFloat();
      }
      // A non-finite loss or gradient skips the update, as mixed-precision trainers do for
      // inf/NaN, so one bad step cannot poison the weights; the loop gives up if it keeps happening.
      double gradNorm = Double.isFinite(loss)
          ? GradientClipping.clipGlobalNorm(trainable, MAX_GRAD_NORM, scope) : Double.NaN;
      if (!Double.isFinite(gradNorm)) {
        GradientClipping.zero(trainable);
        return new StepResult(loss, batch.tokenCount(), false);
      }
      optimizer.step(trainable, lr);
      return new StepResult(loss, batch.tokenCount(), true);
    }
  }

  private List<TrainingSample> batchAt(int[] order, int batchInEpoch) {
    int from = batchInEpoch * config.batchSize();
    int to = Math.min(order.length, from + config.batchSize());
    List<TrainingSample> batch = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      batch.add(data.get(order[i]));
    }
    return batch;
  }

  /** Writes into a fresh folder (a retried attempt may have left a partial one), then reports it. */
  private void checkpoint(
      long step, Map<String, Parameter> trainable, AdamW optimizer, TrainingState state)
      throws IOException {
    Path folder = checkpointRoot.resolve(String.format(Locale.ROOT, STEP_FOLDER, step));
    deleteRecursively(folder);
    CheckpointFiles.write(folder, trainable, optimizer, state);
    checkpointListener.onCheckpoint(step, folder);
  }

  private static void deleteRecursively(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** What must match for a checkpoint to continue this run; how often to checkpoint need not. */
  private String configHash() {
    TrainerConfig identity = new TrainerConfig(config.stage(), config.learningRate(),
        config.warmupRatio(), config.schedule(), config.weightDecay(), config.batchSize(),
        config.epochs(), config.maxSteps(), config.seed(), 0, config.tuning());
    String text = model.config().toJson() + "\n" + identity;
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
