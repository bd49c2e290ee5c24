package io.llavascale.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.workflows.pipeline.PipelineReport;
import io.llavascale.workflows.pipeline.StageStatus;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.study.StudyCellResult;
import io.llavascale.workflows.study.StudyReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  @Test
  void theTableHasEachCellsScoreTrainableParametersAndGpuHours() {
    PipelineReport run = new PipelineReport("s-tiny-r224-m0-lora-b1", null,
        List.of(new StageStatus(StageNames.TUNE, "completed", 30, 0.0083, 53376, "600 steps")),
        null, null, null, null, null, 0.0123, "");
    StudyReport report = new StudyReport("s", "mini", List.of(
        new StudyCellResult("tiny-r224-m0-lora-b1", run.runId(), "completed", "tiny", 224, "lora", 0, 1, "", run),
        new StudyCellResult("tiny-r224-m0-full-b1", "s-tiny-r224-m0-full-b1", "failed", "tiny", 224, "full", 0, 1,
            "TuneStage failed", null)), 0.0123, "s3://b/studies/s/study.json");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StudyCommand.table(new PrintStream(out, true, StandardCharsets.UTF_8), report);
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(List.of("cell", "status", "exact", "match", "trainable", "GPU-hours"), List.of(lines.get(0).trim().split("\\s+")));
    assertEquals(List.of("tiny-r224-m0-lora-b1", "completed", "-", "53,376", "0.0123"), List.of(lines.get(1).trim().split("\\s+")));
    assertEquals(List.of("tiny-r224-m0-full-b1", "failed", "-", "-", "-"), List.of(lines.get(2).trim().split("\\s+")));
    assertEquals("TuneStage failed", lines.get(3).trim());
  }
}
