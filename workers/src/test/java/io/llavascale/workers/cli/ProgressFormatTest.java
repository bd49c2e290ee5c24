package io.llavascale.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.workflows.pipeline.PipelineProgress;
import io.llavascale.workflows.stages.ChoiceResult;
import io.llavascale.workflows.stages.EvalResult;
import io.llavascale.workflows.stages.JudgedResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ProgressFormatTest {
  @Test
  void parameterCountsReadLikeThePapersTable4() {
    assertEquals("950", ProgressFormat.count(950));
    assertEquals("16.5K", ProgressFormat.count(16_512));
    assertEquals("1.23M", ProgressFormat.count(1_234_567));
    assertEquals("0.26B", ProgressFormat.count(260_000_000));
    assertEquals("65.00B", ProgressFormat.count(65_000_000_000L));
  }

  @Test
  void progressLineCarriesGpuHoursSoFar() {
    PipelineProgress p = new PipelineProgress("run-1", "running", "stage2", 1200, 3000, 0.521, 72,
        "s3://b/runs/run-1/stage2/ckpt/step-000001200/", 0.0123, List.of());
    assertEquals("run-1: running | stage2 step 1200/3000 (40%) loss 0.5210 ETA 1m12s"
        + " | ckpt step-000001200 | 0.0123 GPU-h", ProgressFormat.line(p));
    assertTrue(ProgressFormat.line(new PipelineProgress("run-1", "running", "dataprep", 0, 0, 0, 0,
        "", 0, List.of())).endsWith("dataprep"));
  }

  @Test
  void theEvaluationTableShowsTheBenchmarksThatRan() {
    EvalResult eval = new EvalResult("s3://b/runs/r/eval/output/", "s3://b/runs/r/eval/output/answers.jsonl", 4, 0.75,
        new TreeMap<>(Map.of("color", 1.0, "count", 0.5)), 3.0, 5,
        new ChoiceResult(2, 8, true, 0.5, 1.0, new TreeMap<>(Map.of("color", 1.0, "shape", 0.0))),
        new JudgedResult(3, "offline-f1", 62.5, new TreeMap<>(Map.of("conv", 80.0, "detail", 45.0)), 6.25, 10, 3, 0),
        null);
    assertEquals("""
        Evaluation: exact match on 4 held-out questions (beam 5)
          category   exact match
          color      1.000
          count      0.500
          overall    0.750

          benchmark      score  detail
          mmbench        0.500  circular over 2 questions (8 askings), single pass 1.000; color 1.00, shape 0.00
          llava-bench     62.5  relative score, judge offline-f1, 3 questions (3 judged, 0 cached); conv 80.0, detail 45.0
        """, print(eval));

    EvalResult plain = new EvalResult("u", "a", 1, 1.0, Map.of("color", 1.0), 1.0, 1, null, null, null);
    assertEquals("""
        Evaluation: exact match on 1 held-out questions
          category   exact match
          color      1.000
          overall    1.000
        """, print(plain));
  }

  private static String print(EvalResult eval) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressFormat.evaluation(new PrintStream(bytes, true, StandardCharsets.UTF_8), eval);
    return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
  }
}
