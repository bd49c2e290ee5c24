package io.llavascale.workers.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * What {@code llava bench merge} measured.
 *
 * @param measuredAt         when (ISO-8601, UTC)
 * @param cpus               processors the JVM saw
 * @param bytes              base weight files (what both cp and the merge read)
 * @param largestTensorBytes the largest tensor as stored
 * @param files              merged weight files (shards and index)
 * @param cpSeconds          wall time of cp -r
 * @param cpCpuSeconds       its CPU time (user + sys)
 * @param mergeSeconds       wall time of the merge
 * @param mergeCpuSeconds    the JVM's CPU time during the merge, all threads
 * @param peakBufferBytes    the merge's own buffer accounting (largest set held at once)
 * @param heapPeakBytes      JVM heap pools' peak during the merge, garbage not yet collected included
 * @param maxHeapBytes       the JVM's heap limit (-Xmx)
 * @param verifySeconds      the layer probe, a second pass after the merge
 * @param keptAt             the folder, when kept
 */
public record MergeBenchResult(String measuredAt, int cpus, String dtype, int layers, int hidden, int rank,
    int tensors, int adapted, long bytes, long largestTensorBytes, int files, double cpSeconds, double cpCpuSeconds,
    double mergeSeconds, double mergeCpuSeconds, long peakBufferBytes, long heapPeakBytes, long maxHeapBytes, double verifySeconds,
    double verifyMaxAbsDiff, boolean verified, String keptAt) {

  /** mergeSeconds / cpSeconds */
  public double ratio() {
    return mergeSeconds / cpSeconds;
  }

  /** mergeCpuSeconds / cpCpuSeconds: the cost ratio, steadier than wall time on shared cores */
  public double cpuRatio() {
    return mergeCpuSeconds / cpCpuSeconds;
  }

  public void print(PrintStream out) {
    double gb = bytes / 1e9;
    out.printf(Locale.ROOT, "llava bench merge: %d CPUs, %s%n", cpus, measuredAt);
    out.printf(Locale.ROOT, "  model    %s, %d layers, hidden %d, %d tensors (%d adapted, rank %d), %.2f GB,"
        + " largest tensor %.1f MiB%n", dtype, layers, hidden, tensors, adapted, rank, gb, mib(largestTensorBytes));
    out.printf(Locale.ROOT, "  %-8s %8s %9s %8s%n", "", "wall s", "GB/s", "CPU s");
    out.printf(Locale.ROOT, "  %-8s %8.2f %9.3f %8.2f%n", "cp -r", cpSeconds, gb / cpSeconds, cpCpuSeconds);
    out.printf(Locale.ROOT, "  %-8s %8.2f %9.3f %8.2f   (%d weight files)%n", "merge", mergeSeconds, gb / mergeSeconds,
        mergeCpuSeconds, files);
    out.printf(Locale.ROOT, "  ratio merge / cp: wall %.1f, CPU %.1f%n", ratio(), cpuRatio());
    out.printf(Locale.ROOT, "  memory   peak buffers %.1f MiB (%.1fx the largest tensor), heap peak %.0f MiB"
        + " incl. garbage, -Xmx %.0f MiB, model %.0f MiB%n", mib(peakBufferBytes),
        (double) peakBufferBytes / largestTensorBytes, mib(heapPeakBytes), mib(maxHeapBytes), mib(bytes));
    out.printf(Locale.ROOT, "  verify   %8.2f s  layer probe max abs diff %.3g, %s%n", verifySeconds, verifyMaxAbsDiff,
        verified ? "passed" : "FAILED");
    if (!keptAt.isEmpty()) {
      out.println("  kept at  " + keptAt);
    }
  }

  private static double mib(long bytes) {
    return bytes / 1048576.0;
  }
}
