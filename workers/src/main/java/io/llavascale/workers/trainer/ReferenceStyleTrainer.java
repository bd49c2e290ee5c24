package io.llavascale.workers.trainer;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.lifecycle.LocalFolders;
import io.llavascale.model.checkpoint.ModelFiles;
import io.llavascale.model.checkpoint.ParameterTensors;
import io.llavascale.model.data.ShardFormat;
import io.llavascale.model.data.ShardReader;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.llava.TinyLlavaConfig;
import io.llavascale.model.optim.LrSchedule;
import io.llavascale.model.train.TrainerConfig;
import io.llavascale.model.train.TrainingLoop;
import io.llavascale.model.train.TrainingOutcome;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The tiny model's trainer behaving like the reference LLaVA trainer as a process: it takes the
 * reference flags, prints Hugging Face style log dicts (stdout) and a tqdm counter (stderr),
 * writes {@code output_dir/checkpoint-N} folders (our checkpoint files plus {@code
 * trainer_state.json}, each folder renamed into place whole), keeps {@code save_total_limit} of
 * them, resumes from the newest one, and on a stop request checkpoints the step it is at.
 */
public final class ReferenceStyleTrainer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HfTrainerArgs args;
  private final PrintStream out;
  private final PrintStream err;
  private final List<Map<String, Object>> history = new ArrayList<>();

  public ReferenceStyleTrainer(HfTrainerArgs args, PrintStream out, PrintStream err) {
    this.args = args;
    this.out = out;
    this.err = err;
  }

  /** Trains to the end (final weights in output_dir) or until {@code stop}; see {@link TrainingOutcome}. */
  public TrainingOutcome run(BooleanSupplier stop) throws IOException {
    Path outputDir = Files.createDirectories(args.outputDir());
    // A gang's ranks all compute the global batch and agree on every step over the GangLink, so a
    // gang run ends where a single process with that batch ends; only rank 0 writes checkpoints.
    int world = args.worldSize();
    TrainerConfig config = args.trainerConfig(world);
    TinyLlavaConfig modelConfig = TinyLlavaConfig.read(args.modelPath().resolve(TinyLlavaConfig.FILE_NAME));
    try (NDManager manager = NDManager.newBaseManager(); ShardReader shards = ShardReader.open(shardFiles())) {
      TinyLlava model = TinyLlava.create(modelConfig, args.seed(), manager);
      if (config.stage() == TrainerConfig.Stage.TUNE) {
        // --pretrain_mm_mlp_adapter: stage 2 starts from stage 1's projector; the rest of the
        // model is the seed's, as stage 1 left it (the vision tower and LM were frozen there).
        Map<String, Parameter> projector = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> {
          if (name.startsWith("projector.")) {
            projector.put(name, p);
          }
        });
        ParameterTensors.load(args.pretrainAdapter(), projector, true);
      }
      TrainingLoop loop = new TrainingLoop(model, config, shards, outputDir.resolve(".saving"));
      long total = loop.totalSteps();
      long stepsPerEpoch = (shards.size() + config.batchSize() - 1) / config.batchSize();
      LrSchedule schedule = config.lrSchedule(total);
      long startNanos = System.nanoTime();
      Optional<Path> resume = newestCheckpoint(outputDir);
      GangLink link = world > 1 ? args.joinGang(resume.map(ReferenceStyleTrainer::stepOf).orElse(0L)) : null;
      AtomicBoolean agreedStop = new AtomicBoolean();
      loop.onStep((step, totalSteps, stepLoss, tokensPerSec) -> {
        double loss = stepLoss;
        if (link != null) {
          try {
            GangLink.Agreed agreed = link.agree(step, stepLoss, stop.getAsBoolean());
            loss = agreed.meanLoss();
            agreedStop.set(agreed.stop());
          } catch (IOException e) {
            throw new UncheckedIOException("gang link lost at step " + step, e);
          }
        }
        double epoch = (double) step / stepsPerEpoch;
        err.println(counter(step, totalSteps, (System.nanoTime() - startNanos) / 1e9));
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("loss", loss);
        entry.put("learning_rate", schedule.at(step - 1));
        entry.put("epoch", epoch);
        out.println(pythonDict(entry));
        entry.put("step", step);
        history.add(entry);
      }).onCheckpoint((step, folder) -> {
        if (args.nodeRank() == 0) {
          publish(step, total, folder, outputDir);
        } else {
          LocalFolders.delete(folder);
        }
      }).stopWhen(link == null ? stop : agreedStop::get);
      resume.ifPresent(p -> err.println("Resuming from checkpoint " + p));
      TrainingOutcome outcome;
      try {
        outcome = loop.run(resume.orElse(null));
      } finally {
        if (link != null) {
          link.close();
        }
      }
      if (!outcome.stoppedEarly()) {
        ModelFiles.save(model, outputDir);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("train_runtime", (System.nanoTime() - startNanos) / 1e9);
        summary.put("train_loss", outcome.finalLoss());
        summary.put("epoch", (double) outcome.steps() / stepsPerEpoch);
        out.println(pythonDict(summary));
      }
      return outcome;
    }
  }

  /** checkpoint-N appears whole: trainer_state.json is added, then the folder is renamed into place. */
  private void publish(long step, long total, Path folder, Path outputDir) throws IOException {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("global_step", step);
    state.put("max_steps", total);
    state.put("epoch", history.isEmpty() ? 0.0 : history.get(history.size() - 1).get("epoch"));
    state.put("log_history", history);
    JSON.writeValue(folder.resolve("trainer_state.json").toFile(), state);
    Path target = outputDir.resolve("checkpoint-" + step);
    LocalFolders.delete(target);
    Files.move(folder, target, StandardCopyOption.ATOMIC_MOVE);
    rotate(outputDir);
  }

  /** save_total_limit: the newest N checkpoint folders stay. */
  private void rotate(Path outputDir) throws IOException {
    int limit = args.saveTotalLimit();
    if (limit <= 0) {
      return;
    }
    List<Path> all = checkpoints(outputDir);
    for (int i = 0; i < all.size() - limit; i++) {
      LocalFolders.delete(all.get(i));
    }
  }

  /** The newest checkpoint-N, as the reference code's resume_from_checkpoint=True takes it. */
  static Optional<Path> newestCheckpoint(Path outputDir) throws IOException {
    List<Path> all = checkpoints(outputDir);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  private static long stepOf(Path checkpoint) {
    return Long.parseLong(checkpoint.getFileName().toString().substring(11));
  }

  private static List<Path> checkpoints(Path outputDir) throws IOException {
    try (Stream<Path> list = Files.list(outputDir)) {
      return list.filter(p -> p.getFileName().toString().matches("checkpoint-\\d+") && Files.isDirectory(p))
          .sorted(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(11))))
          .toList();
    }
  }

  private List<Path> shardFiles() throws IOException {
    try (Stream<Path> list = Files.list(args.dataPath())) {
      List<Path> shards = list.filter(p -> p.toString().endsWith(ShardFormat.EXTENSION)).sorted().toList();
      if (shards.isEmpty()) {
        throw new IllegalArgumentException("train-process: no " + ShardFormat.EXTENSION + " shards in --data_path "
            + args.dataPath());
      }
      return shards;
    }
  }

  private static String counter(long step, long total, double seconds) {
    double rate = seconds > 0 ? step / seconds : 0;
    return String.format(Locale.ROOT, "%3d%%| %d/%d [%.0fs, %.2fit/s]", 100 * step / Math.max(1, total), step, total,
        seconds, rate);
  }

  /** Python's dict repr, as the Trainer prints its logs. */
  private static String pythonDict(Map<String, Object> entry) {
    StringBuilder sb = new StringBuilder("{");
    entry.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append('\'').append(k).append("': ")
        .append(v instanceof Double d && !Double.isFinite(d) ? (d.isNaN() ? "nan" : "inf") : v));
    return sb.append('}').toString();
  }
}
