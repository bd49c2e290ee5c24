package io.llavascale.activities.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A training stage's per-step log, {@code runs/<runId>/<stage>/metrics.jsonl}: one JSON line per
 * logged step, what the report's loss curves are drawn from. Kept in memory and uploaded whole at
 * checkpoints and at the end, never per step; a retried attempt keeps the lines up to the step it
 * resumed from, so the file always describes the trajectory its checkpoint belongs to.
 */
public final class StageMetrics {
  public static final String FILE = "metrics.jsonl";

  /**
   * @param step         updates taken so far (1 after the first)
   * @param loss         the step's mean loss (NaN when the update was skipped)
   * @param learningRate the rate the update used
   * @param seconds      stage wall time at this step, summed over attempts
   */
  public record Point(long step, double loss, double learningRate, double seconds) {}

  private static final ObjectMapper JSON = StageOutputs.DEFAULT_MAPPER;

  private final ObjectStore store;
  private final String key;
  private final List<Point> points;
  private final double secondsBefore;
  private final long started = System.nanoTime();

  private StageMetrics(ObjectStore store, String key, List<Point> kept) {
    this.store = store;
    this.key = key;
    this.points = new ArrayList<>(kept);
    this.secondsBefore = kept.isEmpty() ? 0 : kept.get(kept.size() - 1).seconds();
  }

  /** The log of an attempt that starts at {@code resumedFrom}: earlier attempts' lines up to it are kept. */
  public static StageMetrics resume(ObjectStore store, String runId, String stage, long resumedFrom) {
    List<Point> kept = read(store, runId, stage).stream().filter(p -> p.step() <= resumedFrom).toList();
    return new StageMetrics(store, key(runId, stage), kept);
  }

  /** The stage's logged steps, empty when it logged none. */
  public static List<Point> read(ObjectStore store, String runId, String stage) {
    String key = key(runId, stage);
    if (store.size(key).isEmpty()) {
      return List.of();
    }
    List<Point> points = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(store.open(key), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isBlank()) {
          points.add(JSON.readValue(line, Point.class));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + store.uri(key), e);
    }
    return points;
  }

  /** Adds a step; a step logged again (an external trainer's counter lagging its log) replaces the earlier line. */
  public synchronized void record(long step, double loss, double learningRate) {
    if (!points.isEmpty() && points.get(points.size() - 1).step() >= step) {
      points.removeIf(p -> p.step() >= step);
    }
    points.add(new Point(step, loss, learningRate, secondsBefore + (System.nanoTime() - started) / 1e9));
  }

  /** Puts the whole log so far in the store (one PUT). */
  public void upload() {
    StringBuilder lines = new StringBuilder();
    synchronized (this) {
      try {
        for (Point p : points) {
          lines.append(JSON.writeValueAsString(p)).append('\n');
        }
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    }
    store.putBytes(key, lines.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String key(String runId, String stage) {
    return StorePaths.stageRoot(runId, stage) + FILE;
  }
}
