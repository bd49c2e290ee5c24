package io.llavascale.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.workflows.pipeline.PipelineProgress;
import java.util.List;
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
}
