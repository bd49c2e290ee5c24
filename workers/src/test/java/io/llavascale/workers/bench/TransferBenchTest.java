package io.llavascale.workers.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.activities.store.TransferSettings;
import io.llavascale.workers.bench.TransferBenchResult.ToolResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transfer bench runs and reports sane figures; its speed is measured by the command, not here. */
class TransferBenchTest {
  @TempDir Path work;

  @Test
  void measuresOursAndSkipsMissingToolsWithTheReason() {
    TransferSettings small = TransferSettings.DEFAULTS.withPartSize(5L << 20).withConcurrency(2);
    TransferBenchResult r = TransferBench.run(work, new TransferBench.Settings(11L << 20, 1, small,
        work.resolve("no-such-aws").toString(), "rclone", line -> {}));

    assertEquals(List.of("llava", "aws", "rclone"), r.tools().stream().map(ToolResult::tool).toList());
    ToolResult ours = r.tools().get(0);
    assertNull(ours.skipped());
    assertTrue(ours.uploadSeconds() > 0 && ours.downloadSeconds() > 0, ours.toString());
    ToolResult aws = r.tools().get(1);
    assertNotNull(aws.skipped());
    assertTrue(aws.skipped().contains("not installed"), aws.skipped());
    // rclone runs when this machine has it (it is verified by sha256 inside the bench), else it is skipped
    ToolResult rclone = r.tools().get(2);
    assertTrue(rclone.skipped() != null || rclone.uploadSeconds() > 0, rclone.toString());

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.print(new PrintStream(out, true, StandardCharsets.UTF_8));
    String table = out.toString(StandardCharsets.UTF_8);
    assertTrue(table.contains("aws      skipped: not installed"), table);
    assertTrue(table.contains("llava") && table.contains("1.00"), table);
  }
}
