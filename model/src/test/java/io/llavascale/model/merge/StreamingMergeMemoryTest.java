package io.llavascale.model.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.model.checkpoint.Safetensors;
import io.llavascale.model.checkpoint.ShardedSafetensors;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The merge's memory is bounded by the largest tensor, not the model: measured two ways on a
 * synthetic model of 225 tensors (64 MiB): the merge's own buffer accounting (peak within a tensor),
 * and the live heap after a full GC every few tensors (anything kept from one tensor to the next).
 */
class StreamingMergeMemoryTest {
  @TempDir Path dir;

  @Test
  void holdsAboutOneTensorNeverTheModel() throws IOException {
    SyntheticModel model = new SyntheticModel(32, 256, 8, Safetensors.DType.F32, 1);
    Path base = dir.resolve("base");
    Path adapterFolder = dir.resolve("adapter");
    model.writeBase(base, 16L << 20);
    model.writeAdapter(adapterFolder);

    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long baseline = memory.getHeapMemoryUsage().getUsed();
    long[] maxLiveGrowth = {0};
    StreamingMerge.Summary summary;
    try (LoraAdapter adapter = LoraAdapter.open(adapterFolder)) {
      summary = StreamingMerge.run(base, adapter, dir.resolve("merged"),
          new StreamingMerge.Options(16L << 20, BaseTransform.IDENTITY), (done, total, name, bytes, totalBytes) -> {
            if (done % 8 == 0) {
              System.gc();
              maxLiveGrowth[0] = Math.max(maxLiveGrowth[0], memory.getHeapMemoryUsage().getUsed() - baseline);
            }
          });
    }
    long largest = summary.largestTensorBytes();
    System.out.printf("streaming merge of %d tensors, %.1f MiB: largest tensor %.2f MiB, peak buffers %.2f MiB,"
            + " live heap growth at most %.2f MiB%n", summary.tensors(), summary.bytes() / 1048576.0,
        largest / 1048576.0, summary.peakBufferBytes() / 1048576.0, maxLiveGrowth[0] / 1048576.0);

    assertEquals(225, summary.tensors());
    assertEquals(512L * 256 * 4, largest);
    assertTrue(summary.peakBufferBytes() <= 3 * largest, "peak buffers " + summary.peakBufferBytes());
    assertTrue(summary.peakBufferBytes() < summary.bytes() / 20, "peak buffers " + summary.peakBufferBytes());
    // Holding the model (or even a shard, 16 MiB) would keep tens of MiB alive.
    assertTrue(maxLiveGrowth[0] < summary.bytes() / 8,
        "live heap grew by " + maxLiveGrowth[0] + " bytes merging " + summary.bytes());
    assertTrue(summary.files().size() > 4, "sharded: " + summary.files());
    assertEquals(ShardedSafetensors.INDEX, summary.files().get(summary.files().size() - 1));
  }
}
