package io.llavascale.activities.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Progress from what a Hugging Face Trainer prints. */
class TrainerLogTest {
  @Test
  void tqdmCountsStepsAndLogDictsCarryLossRateAndEpoch() {
    TrainerLog log = new TrainerLog(0);
    assertFalse(log.accept("  1%|          | 12/1000 [00:10<13:40,  1.2it/s]"), "a counter line logs no loss");
    assertTrue(log.accept("{'loss': 1.2345, 'learning_rate': 2e-05, 'epoch': 0.01}"), "a step's loss, for metrics.jsonl");
    log.accept(" 1%|          | 13/1000 [00:11<13:40,  1.2it/s]");
    assertEquals(new TrainerLog.Progress(13, 1000, 1.2345, 2e-5, 0.01), log.progress());
    log.accept("{'train_runtime': 100.5, 'train_samples_per_second': 9.9, 'train_loss': 0.5, 'epoch': 1.0}");
    assertEquals(1.2345, log.progress().loss(), 0, "the closing summary is not a step");
  }

  @Test
  void withoutACounterEveryLogDictIsOneStepFromTheResumePoint() {
    TrainerLog log = new TrainerLog(40);
    log.accept("Resuming from checkpoint-40");
    log.accept("{'loss': 0.75, 'learning_rate': 9.5e-4, 'epoch': 0.33}");
    log.accept("{'loss': 0.5, 'learning_rate': 9.4e-4, 'epoch': 0.34}");
    assertEquals(new TrainerLog.Progress(42, 42, 0.5, 9.4e-4, 0.34), log.progress());
    log.accept("{'loss': nan, 'learning_rate': 9.3e-4, 'epoch': 0.35}");
    assertEquals(Double.NaN, log.progress().loss());
  }
}
