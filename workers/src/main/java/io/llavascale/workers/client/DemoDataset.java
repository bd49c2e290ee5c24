package io.llavascale.workers.client;

import io.llavascale.activities.dataprep.synthetic.SyntheticBenchmarks;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset.BadKind;
import io.llavascale.activities.store.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's synthetic dataset: written once under {@code <home>/datasets/demo}, uploaded to
 * {@code s3://<bucket>/datasets/demo/}. It carries a few deliberately bad records so the demo shows
 * data prep's quarantine at work.
 */
public final class DemoDataset {
  public static final SyntheticDataset.Options OPTIONS = SyntheticDataset.Options.of(7, 2000, 4000, 300, 60)
      .withBad(List.of(BadKind.MISSING_IMAGE), List.of(BadKind.TRUNCATED_JPEG, BadKind.PATH_ESCAPE));

  private DemoDataset() {}

  /**
   * Makes sure the demo dataset is in the bucket; returns the spec's data section pointing at it.
   *
   * @param mixShareGpt whether the run mixes the text-only ShareGPT set into stage 2
   */
  public static Map<String, Object> ensure(ObjectStore store, Path home, boolean mixShareGpt) {
    return ensure(store, home, "demo", OPTIONS, mixShareGpt);
  }

  /**
   * Writes a synthetic dataset once under {@code <home>/datasets/<name>}, uploads it to
   * {@code datasets/<name>/} (skipping files already there) and returns the data section for it.
   */
  public static Map<String, Object> ensure(
      ObjectStore store, Path home, String name, SyntheticDataset.Options options, boolean mixShareGpt) {
    Path local = home.resolve("datasets").resolve(name);
    // A folder written before the benchmark sets existed is written again (it is deterministic).
    if (!Files.exists(local.resolve(SyntheticDataset.EVAL)) || !Files.exists(local.resolve(SyntheticBenchmarks.MMLU))) {
      SyntheticDataset.write(local, options);
    }
    String prefix = "datasets/" + name + "/";
    DatasetUpload.upload(store, local, prefix);
    return dataSection(store, prefix, mixShareGpt);
  }

  /** The spec's data section for a synthetic dataset uploaded under {@code prefix} (ending in '/'). */
  public static Map<String, Object> dataSection(ObjectStore store, String prefix, boolean mixShareGpt) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("stage1", store.uri(prefix + SyntheticDataset.STAGE1));
    data.put("stage2", store.uri(prefix + SyntheticDataset.STAGE2));
    data.put("images", store.uri(prefix + SyntheticDataset.IMAGES + "/"));
    data.put("eval", store.uri(prefix + SyntheticDataset.EVAL));
    data.put("mmbench", store.uri(prefix + SyntheticBenchmarks.MMBENCH));
    data.put("llavaBench", store.uri(prefix + SyntheticBenchmarks.LLAVA_BENCH));
    data.put("mmlu", store.uri(prefix + SyntheticBenchmarks.MMLU));
    if (mixShareGpt) {
      data.put("sharegpt", store.uri(prefix + SyntheticDataset.SHAREGPT));
    }
    return data;
  }
}
