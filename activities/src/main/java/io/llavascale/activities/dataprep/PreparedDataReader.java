package io.llavascale.activities.dataprep;

import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.S3Uri;
import io.llavascale.workflows.stages.PreparedData;
import io.llavascale.model.data.EvalItem;
import io.llavascale.model.data.EvalItemReader;
import io.llavascale.model.data.ShardFormat;
import io.llavascale.model.data.ShardReader;
import io.llavascale.model.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what {@link DataPrepper} wrote for a run, for the training and eval activities: downloads
 * a stage's shards to a local folder and opens them as one {@link ShardReader}
 * ({@link io.llavascale.model.train.SampleSource}), loads the tokenizer, streams the eval items.
 */
public final class PreparedDataReader {
  private final ObjectStore store;
  private final String out;

  private PreparedDataReader(ObjectStore store, String outputPrefix) {
    this.store = store;
    this.out = outputPrefix;
  }

  /** What data prep wrote under a run's own id. */
  public static PreparedDataReader forRun(ObjectStore store, String runId) {
    return new PreparedDataReader(store, DataPrepper.outputPrefix(runId));
  }

  /**
   * The data a stage was handed, wherever it lives: a study cell trains on the data prep of a
   * shared run, not on one under its own run id.
   */
  public static PreparedDataReader of(ObjectStore store, PreparedData data) {
    String key = S3Uri.parse(data.outputUri()).key();
    return new PreparedDataReader(store, key.endsWith("/") ? key : key + "/");
  }

  /** Shard keys of a stage ("stage1" or "stage2"), in sample order. */
  public List<String> shardKeys(String stagePrefix) {
    List<String> keys = new ArrayList<>();
    for (String k : store.list(out + stagePrefix + "-")) {
      if (k.endsWith(ShardFormat.EXTENSION)) {
        keys.add(k);
      }
    }
    return keys; // list() is sorted and names are zero-padded
  }

  /** Downloads the stage's shards into localDir (kept if already there with the right size). */
  public ShardReader openShards(String stagePrefix, Path localDir) {
    return ShardReader.open(downloadShards(stagePrefix, localDir));
  }

  /** The stage's shards as local files in sample order, downloaded when not already there. */
  public List<Path> downloadShards(String stagePrefix, Path localDir) {
    try {
      Files.createDirectories(localDir);
      List<Path> files = new ArrayList<>();
      for (String k : shardKeys(stagePrefix)) {
        Path p = localDir.resolve(k.substring(out.length()));
        long want = store.size(k).orElseThrow(() -> new IllegalStateException("gone: " + k));
        if (!Files.exists(p) || Files.size(p) != want) {
          store.getFile(k, p);
        }
        files.add(p);
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public TextTokenizer tokenizer() {
    return TextTokenizer.load(store.getBytes(out + DataPrepper.TOKENIZER));
  }

  /** All eval items (the eval set is small: hundreds to a few thousand questions). */
  public List<EvalItem> evalItems() {
    return items(DataPrepper.EVAL_ITEMS);
  }

  /** A benchmark's items ({@link DataPrepper#benchmarkItems}); empty when data prep wrote none. */
  public List<EvalItem> benchmarkItems(String benchmark) {
    return items(DataPrepper.benchmarkItems(benchmark));
  }

  private List<EvalItem> items(String name) {
    if (store.size(out + name).isEmpty()) {
      return List.of();
    }
    try (InputStream in = store.open(out + name);
        EvalItemReader r = new EvalItemReader(in)) {
      List<EvalItem> items = new ArrayList<>();
      r.forEachRemaining(items::add);
      return items;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
