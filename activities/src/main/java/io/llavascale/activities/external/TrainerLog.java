package io.llavascale.activities.external;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Progress read from a Hugging Face Trainer's output: its per-step log dicts ({@code {'loss':
 * 1.23, 'learning_rate': 2e-05, 'epoch': 0.1}}, one per step with {@code --logging_steps 1}) and
 * tqdm's step counter ({@code 120/1000 [00:10<01:20, 10.9it/s]}). Fed from a reader thread, read
 * from the heartbeat side; both synchronized.
 */
public final class TrainerLog {
  private static final String NUMBER = "(-?[0-9.]+(?:[eE][-+]?[0-9]+)?|nan|inf)";
  private static final Pattern LOSS = Pattern.compile("'loss':\\s*" + NUMBER);
  private static final Pattern LR = Pattern.compile("'learning_rate':\\s*" + NUMBER);
  private static final Pattern EPOCH = Pattern.compile("'epoch':\\s*" + NUMBER);
  private static final Pattern TQDM = Pattern.compile("(\\d+)/(\\d+) \\[");

  /** What the trainer has said so far. */
  public record Progress(long step, long totalSteps, double loss, double learningRate, double epoch) {}

  private long step;
  private boolean counterSeen;
  private long total;
  private double loss = Double.NaN;
  private double learningRate;
  private double epoch;

  /** @param resumedFrom the step of the checkpoint the trainer resumes from (0 when fresh) */
  public TrainerLog(long resumedFrom) {
    this.step = resumedFrom;
  }

  /** @return true when the line logged a step's loss */
  public synchronized boolean accept(String line) {
    Matcher counter = TQDM.matcher(line);
    long counted = -1;
    while (counter.find()) {
      counted = Long.parseLong(counter.group(1));
      total = Long.parseLong(counter.group(2));
    }
    if (counted >= 0) {
      counterSeen = true;
      step = Math.max(step, counted);
    }
    OptionalDouble lossValue = value(LOSS, line);
    if (lossValue.isPresent()) {
      // One dict per optimizer step: it counts steps only when there is no tqdm counter, which
      // is exact where the dicts may lag or lead it.
      if (!counterSeen) {
        step++;
      }
      loss = lossValue.getAsDouble();
      learningRate = value(LR, line).orElse(learningRate);
      epoch = value(EPOCH, line).orElse(epoch);
    }
    return lossValue.isPresent();
  }

  public synchronized Progress progress() {
    return new Progress(step, Math.max(total, step), loss, learningRate, epoch);
  }

  private static OptionalDouble value(Pattern p, String line) {
    Matcher m = p.matcher(line);
    if (!m.find()) {
      return OptionalDouble.empty();
    }
    String v = m.group(1);
    return OptionalDouble.of(v.equals("nan") ? Double.NaN : v.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v));
  }
}
