package io.llavascale.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `llava study`: the spec is checked before anything connects; `study status` is a subcommand. */
class StudyCommandTest {
  @TempDir Path dir;

  private static String run(String... args) {
    PrintStream savedErr = System.err;
    PrintStream savedOut = System.out;
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(both, true, StandardCharsets.UTF_8);
    System.setErr(capture);
    System.setOut(capture);
    try {
      int code = LlavaCli.execute(args);
      return code + "\n" + both.toString(StandardCharsets.UTF_8);
    } finally {
      System.setErr(savedErr);
      System.setOut(savedOut);
    }
  }

  @Test
  void invalidStudyIsRefusedWithEveryFieldNamed() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "name: Bad Name\nbase: tiny-full\nseed: 1\ngrid: {tunings: [full, lorax]}\n");
    String out = run("study", bad.toString(), "--home", dir.toString());
    assertTrue(out.startsWith("2\n"), out);
    assertTrue(out.contains("invalid study spec:"), out);
    assertTrue(out.contains("name must be 1-40 of a-z, 0-9 and '-'"), out);
    assertTrue(out.contains("grid.tunings[1] must be one of full, lora, qlora, got 'lorax'"), out);
  }

  @Test
  void statusIsASubcommand() {
    String out = run("study", "status");
    assertEquals("2", out.lines().findFirst().orElseThrow(), out);
    assertTrue(out.contains("Usage: llava study status [--home=DIR] STUDY_ID"), out);
  }
}
