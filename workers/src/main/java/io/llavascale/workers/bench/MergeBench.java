package io.llavascale.workers.bench;

import io.llavascale.model.checkpoint.Safetensors;
import io.llavascale.model.merge.BaseTransform;
import io.llavascale.model.merge.LayerProbe;
import io.llavascale.model.merge.LoraAdapter;
import io.llavascale.model.merge.MergeVerifier;
import io.llavascale.model.merge.StreamingMerge;
import io.llavascale.model.merge.SyntheticModel;
import io.llavascale.model.merge.Verification;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code llava bench merge}: writes a synthetic LLaVA-shaped model and LoRA adapter to a temporary
 * folder, times {@code cp -r} of the base weights, then the streaming merge of the same bytes, and
 * reports both throughputs, their ratio and the merge's peak memory. The layer probe's time is
 * reported apart: it is a second pass, not part of the merge.
 */
public final class MergeBench {
  private MergeBench() {}

  /**
   * @param targetBytes   base model size to aim for
   * @param hidden        model width (largest tensor: 2 x hidden^2 weights)
   * @param rank          adapter rank
   * @param dtype         base dtype
   * @param maxShardBytes shard size of base and merged weights
   * @param probeRows     probe inputs per layer for the verification pass
   * @param parent        where the temporary folder goes
   * @param keep          leave the folder behind
   */
  public record Settings(long targetBytes, int hidden, int rank, Safetensors.DType dtype, long maxShardBytes,
      int probeRows, Path parent, boolean keep, Consumer<String> log) {}

  public static MergeBenchResult run(Settings s) throws IOException, InterruptedException {
    Path folder = Files.createTempDirectory(Files.createDirectories(s.parent()), "llava-merge-bench-");
    try {
      SyntheticModel model = new SyntheticModel(SyntheticModel.layersFor(s.targetBytes(), s.hidden(), s.dtype()),
          s.hidden(), s.rank(), s.dtype(), 42);
      Path base = folder.resolve("base");
      Path adapterFolder = folder.resolve("adapter");
      s.log().accept(String.format("writing a %d-layer, hidden %d, %s model and a rank-%d adapter to %s",
          model.layers(), s.hidden(), s.dtype(), s.rank(), folder));
      model.writeBase(base, s.maxShardBytes());
      model.writeAdapter(adapterFolder);
      long baseBytes = folderBytes(base);

      s.log().accept("cp -r of the base folder");
      Path copy = folder.resolve("copy");
      double[] cp = timedCopy(base, copy);
      deleteTree(copy); // disk: the merge's output takes its place

      s.log().accept("streaming merge");
      Path merged = folder.resolve("llava-merged");
      System.gc();
      List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP).toList();
      heap.forEach(MemoryPoolMXBean::resetPeakUsage);
      StreamingMerge.Summary summary;
      Verification verification;
      double verifySeconds;
      long cpu0 = processCpuNanos();
      try (LoraAdapter adapter = LoraAdapter.open(adapterFolder)) {
        summary = StreamingMerge.run(base, adapter, merged,
            new StreamingMerge.Options(s.maxShardBytes(), BaseTransform.IDENTITY), (done, total, name, bytes, all) -> {});
        double mergeCpuSeconds = (processCpuNanos() - cpu0) / 1e9;
        long heapPeak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        s.log().accept("layer probe of the merged weights");
        long t1 = System.nanoTime();
        verification = new LayerProbe(42, s.probeRows())
            .verify(new MergeVerifier.Inputs(base, adapter, BaseTransform.IDENTITY, merged));
        verifySeconds = (System.nanoTime() - t1) / 1e9;
        return new MergeBenchResult(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
            Runtime.getRuntime().availableProcessors(), s.dtype().name(), model.layers(), s.hidden(), s.rank(),
            summary.tensors(), summary.merged(), baseBytes, summary.largestTensorBytes(), summary.files().size(),
            cp[0], cp[1], summary.seconds(), mergeCpuSeconds, summary.peakBufferBytes(), heapPeak,
            Runtime.getRuntime().maxMemory(), verifySeconds, verification.maxAbsDiff(), verification.passed(),
            s.keep() ? folder.toString() : "");
      }
    } finally {
      if (!s.keep()) {
        deleteTree(folder);
      }
    }
  }

  /**
   * {@code cp -r} under bash's {@code time}: wall seconds and CPU seconds (user + sys), the latter
   * comparable with the merge's CPU time when other processes share the cores.
   */
  private static double[] timedCopy(Path from, Path to) throws IOException, InterruptedException {
    Process cp = new ProcessBuilder("bash", "-c", "TIMEFORMAT='%R %U %S'; time cp -r \"$0\" \"$1\"",
        from.toString(), to.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String times = new String(cp.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    if (cp.waitFor() != 0) {
      throw new IOException("cp -r " + from + " " + to + " failed: " + times);
    }
    String[] t = times.substring(times.lastIndexOf('\n') + 1).split(" ");
    return new double[] {Double.parseDouble(t[0]), Double.parseDouble(t[1]) + Double.parseDouble(t[2])};
  }

  /** CPU time of this JVM, every thread (the merge's cores, GC and JIT). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long folderBytes(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      long total = 0;
      for (Path f : (Iterable<Path>) files::iterator) {
        total += Files.size(f);
      }
      return total;
    }
  }

  private static void deleteTree(Path folder) throws IOException {
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
