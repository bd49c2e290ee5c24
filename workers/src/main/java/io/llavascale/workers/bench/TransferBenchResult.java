package io.llavascale.workers.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * What {@code llava bench transfer} measured; printed as a table or written as JSON.
 *
 * @param tools ours first; the others with their ratio to ours (their seconds / ours: above 1
 *              means ours is faster)
 */
public record TransferBenchResult(String measuredAt, int cpus, long bytes, long partSize, int concurrency,
    int rounds, String endpoint, List<ToolResult> tools) {

  /** Seconds are the fastest of the rounds; null when the tool was skipped. */
  public record ToolResult(String tool, String version, Double uploadSeconds, Double downloadSeconds,
      String skipped) {
    static ToolResult measured(String tool, String version, double up, double down) {
      return new ToolResult(tool, version, up, down, null);
    }

    static ToolResult skipped(String tool, String why) {
      return new ToolResult(tool, null, null, null, why);
    }
  }

  public void print(PrintStream out) {
    ToolResult ours = tools.get(0);
    out.printf(Locale.ROOT, "transfer bench: %d MiB file, parts of %d MiB, %d in flight, best of %d, %s, %d cpus%n",
        bytes >> 20, partSize >> 20, concurrency, rounds, endpoint, cpus);
    out.printf(Locale.ROOT, "%-8s %10s %10s %10s %10s %10s %10s%n", "tool", "up s", "up MiB/s", "up ratio",
        "down s", "down MiB/s", "down ratio");
    for (ToolResult t : tools) {
      if (t.skipped() != null) {
        out.printf(Locale.ROOT, "%-8s skipped: %s%n", t.tool(), t.skipped());
        continue;
      }
      out.printf(Locale.ROOT, "%-8s %10.2f %10.1f %10.2f %10.2f %10.1f %10.2f%n", t.tool(), t.uploadSeconds(),
          mibPerSecond(t.uploadSeconds()), t.uploadSeconds() / ours.uploadSeconds(), t.downloadSeconds(),
          mibPerSecond(t.downloadSeconds()), t.downloadSeconds() / ours.downloadSeconds());
    }
    out.println("ratio = the tool's seconds / llava's seconds (above 1: llava is faster)");
  }

  private double mibPerSecond(double seconds) {
    return (bytes / 1048576.0) / seconds;
  }
}
