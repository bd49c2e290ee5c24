package io.llavascale.workers.client;

import io.llavascale.activities.dataprep.synthetic.SyntheticBenchmarks;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset.BadKind;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.workflows.spec.DataSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The synthetic datasets the demo (and the bench) write once under {@code <home>/datasets/<name>}
 * and upload to {@code s3://<bucket>/datasets/<name>/}, picked by the name in the preset's data
 * URIs: {@code demo} for {@code tiny-full} and {@code tiny-full-mix}, {@code detail} for the
 * resolution study ({@code tiny-full-224}, {@code tiny-full-336}, {@code tiny-full-336-mix}). Both
 * carry a few deliberately bad records so the demo shows data prep's quarantine at work, and
 * enough ShareGPT-style records for a mixRatio of 0.25 (4000 x 0.25 / 0.75 = 1334).
 */
public final class DemoDataset {
  public static final SyntheticDataset.Options OPTIONS = SyntheticDataset.Options.of(7, 2000, 4000, 1400, 60)
      .withBad(List.of(BadKind.MISSING_IMAGE), List.of(BadKind.TRUNCATED_JPEG, BadKind.PATH_ESCAPE));

  /** The demo's sizes with half the images detail scenes, and twice the held-out images. */
  public static final SyntheticDataset.Options DETAIL = SyntheticDataset.Options.of(7, 2000, 4000, 1400, 120)
      .withBad(OPTIONS.badStage1(), OPTIONS.badStage2()).withDetail(0.5);

  /** Every dataset the demo can write, by name. */
  public static final Map<String, SyntheticDataset.Options> BY_NAME = Map.of("demo", OPTIONS, "detail", DETAIL);

  private static final Pattern DATASET_URI = Pattern.compile("^s3://[^/]+/datasets/([^/]+)/");

  private DemoDataset() {}

  /**
   * Makes sure the dataset a tiny preset names is in the bucket; returns the spec's data section
   * pointing at it (ShareGPT only when the preset mixes it in).
   */
  public static Map<String, Object> ensure(ObjectStore store, Path home, DataSpec preset) {
    String name = datasetName(preset);
    return ensure(store, home, name, BY_NAME.get(name), preset.mixRatio() > 0);
  }

  /** The name in {@code s3://<bucket>/datasets/<name>/stage2.json}, if the demo can write it. */
  public static String datasetName(DataSpec preset) {
    Matcher m = DATASET_URI.matcher(preset.stage2());
    if (!m.find() || !BY_NAME.containsKey(m.group(1))) {
      throw new IllegalArgumentException("the preset reads " + preset.stage2() + "; the demo writes only "
          + "s3://<bucket>/datasets/<name>/ for " + new TreeSet<>(BY_NAME.keySet())
          + ". Start a run on your own data with `llava start` instead.");
    }
    return m.group(1);
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
