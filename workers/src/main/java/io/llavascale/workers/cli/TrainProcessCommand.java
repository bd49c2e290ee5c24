package io.llavascale.workers.cli;

import io.llavascale.model.train.TrainingOutcome;
import io.llavascale.workers.trainer.HfTrainerArgs;
import io.llavascale.workers.trainer.ReferenceStyleTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * The tiny model's trainer as a process with the reference trainer's contract, so the external
 * backend runs for real without Python: {@code LLAVA_TRAINER_LAUNCHER="llava train-process"}.
 */
@Command(name = "train-process",
    description = {"Train the tiny model as a separate process the way the reference LLaVA trainer does:",
        "reference flags in, HF-style logs out, output_dir/checkpoint-N folders, resume from the newest,",
        "a checkpoint at the current step on SIGTERM. Takes the flags `llava explain` prints."})
final class TrainProcessCommand implements Callable<Integer> {
  /** How long SIGTERM waits for the checkpoint of the step in flight. */
  private static final long STOP_WAIT_MINUTES = 10;

  @Unmatched List<String> flags = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    HfTrainerArgs args = HfTrainerArgs.parse(flags);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    // SIGTERM: finish the step in flight, checkpoint it, then let the JVM exit.
    Thread hook = new Thread(() -> {
      stop.set(true);
      try {
        finished.await(STOP_WAIT_MINUTES, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "train-process-sigterm");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      TrainingOutcome outcome = new ReferenceStyleTrainer(args, System.out, System.err).run(stop::get);
      if (outcome.stoppedEarly()) {
        System.err.println("Stopped at step " + outcome.steps() + "; checkpoint-" + outcome.steps() + " saved");
      }
      return 0;
    } finally {
      finished.countDown();
    }
  }
}
