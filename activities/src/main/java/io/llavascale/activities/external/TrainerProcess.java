package io.llavascale.activities.external;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trainer command running as its own process group under a small shell wrapper, so that:
 * SIGTERM to the wrapper reaches the whole trainer tree (the deepspeed launcher and every rank);
 * the trainer dies with the worker even when the worker is SIGKILLed (the wrapper's stdin is a
 * pipe from this JVM, and its end kills the group); and the trainer's exit status comes back.
 * stdout and stderr are merged, appended to a log file and handed line by line to a consumer
 * (tqdm's carriage returns end a line too). One rank or one node of a gang is one such process.
 */
public final class TrainerProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrainerProcess.class);

  // $@ is the trainer command. fd 3 keeps our stdin pipe for the watchdog only.
  static final String WRAPPER = """
      exec 3<&0 </dev/null
      setsid "$@" 3<&- &
      trainer=$!
      { while read -r _ <&3; do :; done; kill -KILL -"$trainer" 2>/dev/null; } &
      watchdog=$!
      exec 3<&-
      trap 'kill -TERM -"$trainer" 2>/dev/null' TERM INT
      status=0
      while kill -0 "$trainer" 2>/dev/null; do
        wait "$trainer"; status=$?
      done
      kill "$watchdog" 2>/dev/null
      exit "$status"
      """;

  private final Process process;
  private final OutputStream lifeline;
  private final Thread reader;

  private TrainerProcess(Process process, Thread reader) {
    this.process = process;
    this.lifeline = process.getOutputStream();
    this.reader = reader;
  }

  /**
   * Starts {@code command} in {@code workDir} with extra environment variables.
   *
   * @param logFile appended to with every line the trainer prints
   * @param lines   called with each line, on a reader thread
   */
  public static TrainerProcess start(List<String> command, Path workDir, Map<String, String> env, Path logFile,
      Consumer<String> lines) {
    List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", WRAPPER, "llava-trainer"));
    argv.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(argv).directory(workDir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    try {
      Files.createDirectories(logFile.getParent());
      Process process = builder.start();
      BufferedWriter out = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      Thread reader = new Thread(() -> pump(process, out, lines), "trainer-log-" + process.pid());
      reader.setDaemon(true);
      reader.start();
      log.info("trainer started pid={} in {}: {}", process.pid(), workDir, String.join(" ", command));
      return new TrainerProcess(process, reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start trainer " + command, e);
    }
  }

  private static void pump(Process process, BufferedWriter out, Consumer<String> lines) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        out) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(line);
        out.newLine();
        out.flush();
        try {
          lines.accept(line);
        } catch (RuntimeException e) {
          log.warn("trainer line not understood: {}", e.toString());
        }
      }
    } catch (IOException e) {
      log.debug("trainer output ended: {}", e.toString());
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Forwards SIGTERM to the trainer's whole process tree. */
  public void terminate() {
    // Through the handle: Process.destroy() would also close our end of the pipes, and the
    // wrapper reads a closed stdin as "the worker died" and kills the trainer outright.
    process.toHandle().destroy();
  }

  /** Waits up to {@code timeout}; true when the trainer has exited and its output is read. */
  public boolean waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return false;
    }
    reader.join(TimeUnit.SECONDS.toMillis(5));
    return true;
  }

  /** The trainer's exit status (128 + signal when a signal ended it); call after it exited. */
  public int exitCode() {
    return process.exitValue();
  }

  /** Kills the trainer tree at once if it still runs (the same path as this JVM dying). */
  @Override
  public void close() throws InterruptedException {
    try {
      lifeline.close();
    } catch (IOException e) {
      log.debug("trainer stdin already closed: {}", e.toString());
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    reader.join(TimeUnit.SECONDS.toMillis(5));
  }
}
