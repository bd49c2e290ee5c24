package io.llavascale.activities.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process wrapper: output, exit status, SIGTERM to the whole tree, no orphan left behind. */
class TrainerProcessTest {
  @TempDir Path dir;

  @Test
  void linesReachTheLogAndTheConsumerAndTheStatusComesBack() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    try (TrainerProcess p = TrainerProcess.start(List.of("sh", "-c", "echo out; echo err >&2; printf 'a\\rb\\n'; exit 3"),
        dir, Map.of(), dir.resolve("logs/t.log"), lines::add)) {
      assertTrue(p.waitFor(Duration.ofSeconds(20)));
      assertEquals(3, p.exitCode());
    }
    assertEquals(List.of("out", "err", "a", "b"), lines);
    assertEquals(List.of("out", "err", "a", "b"), Files.readAllLines(dir.resolve("logs/t.log")));
  }

  @Test
  void sigtermReachesEveryProcessOfTheTrainer() throws Exception {
    // A launcher with a child rank, like deepspeed: both must see SIGTERM and save.
    String rank = "trap 'echo saved > rank.txt; exit 0' TERM; echo rank-up; while :; do sleep 0.1; done";
    String launcher = "sh -c \"" + rank + "\" & trap 'echo saved > launcher.txt; wait; exit 143' TERM; echo up; wait";
    List<String> lines = new CopyOnWriteArrayList<>();
    try (TrainerProcess p = TrainerProcess.start(List.of("sh", "-c", launcher), dir, Map.of(), dir.resolve("t.log"), lines::add)) {
      awaitLine(lines, "up");
      awaitLine(lines, "rank-up"); // its trap is set: a SIGTERM before that would just kill it
      p.terminate();
      assertTrue(p.waitFor(Duration.ofSeconds(20)));
      assertEquals(143, p.exitCode());
    }
    assertTrue(Files.exists(dir.resolve("rank.txt")), "the rank got SIGTERM");
    assertTrue(Files.exists(dir.resolve("launcher.txt")), "the launcher got SIGTERM");
  }

  @Test
  void closingKillsATrainerThatIgnoresSigterm() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    TrainerProcess p = TrainerProcess.start(List.of("sh", "-c", "trap '' TERM; echo $$ > pid; echo up; while :; do sleep 0.1; done"),
        dir, Map.of(), dir.resolve("t.log"), lines::add);
    awaitLine(lines, "up");
    long pid = Long.parseLong(Files.readString(dir.resolve("pid")).trim());
    p.close();
    assertFalse(p.isAlive());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      assertTrue(System.nanoTime() < deadline, "trainer " + pid + " outlived its wrapper");
      Thread.sleep(50);
    }
  }

  private static void awaitLine(List<String> lines, String line) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!lines.contains(line)) {
      assertTrue(System.nanoTime() < deadline, "no '" + line + "' in " + lines);
      Thread.sleep(20);
    }
  }
}
