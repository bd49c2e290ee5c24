package io.llavascale.workers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A GPU-pool worker in its own JVM, for tests that kill it. */
final class ChildWorker {
  private ChildWorker() {}

  /** `llava worker --pools gpu-local` in a child JVM that finds the stack through stack.json under home. */
  static Process startGpuWorker(Path home, String logName) throws IOException {
    return startGpuWorker(home, logName, Map.of());
  }

  /** The same with extra environment variables (the external backend's LLAVA_TRAINER_*). */
  static Process startGpuWorker(Path home, String logName, Map<String, String> env) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(java(), "-Xmx2g", "-Dai.djl.offline=true",
        "-cp", System.getProperty("java.class.path"), "io.llavascale.workers.cli.LlavaCli",
        "worker", "--pools", "gpu-local", "--home", home.toString());
    builder.environment().putAll(env);
    File log = home.resolve(logName).toFile();
    builder.redirectErrorStream(true).redirectOutput(log);
    Process process = builder.start();
    assertTrue(process.isAlive() || Files.exists(log.toPath()));
    return process;
  }

  /** This test JVM's java binary. */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
