package io.llavascale.activities.dataprep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.llavascale.activities.testing.LocalFolderObjectStore;
import io.llavascale.activities.dataprep.synthetic.SyntheticBenchmarks;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset.BadKind;
import io.llavascale.model.data.EvalItem;
import io.llavascale.model.data.ShardReader;
import io.llavascale.model.tokenizer.SpecialTokens;
import io.llavascale.model.tokenizer.TextTokenizer;
import io.llavascale.model.train.TrainingSample;
import io.llavascale.workflows.spec.CheckpointSpec;
import io.llavascale.workflows.spec.ComputeSpec;
import io.llavascale.workflows.spec.DataSpec;
import io.llavascale.workflows.spec.EvalSpec;
import io.llavascale.workflows.spec.ModelSpec;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.StageSpec;
import io.llavascale.workflows.spec.TuningSpec;
import io.llavascale.workflows.stages.PreparedData;
import io.temporal.failure.ApplicationFailure;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPrepperTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String BUCKET = "llava-test";
  @TempDir Path dir;

  LocalFolderObjectStore store() throws Exception {
    Path b = dir.resolve("bucket");
    Files.createDirectories(b);
    return new LocalFolderObjectStore(b, BUCKET);
  }

  static RunSpec spec(double mixRatio, double maxBad, long seed) {
    return spec(mixRatio, maxBad, seed, 224);
  }

  static RunSpec spec(double mixRatio, double maxBad, long seed, int resolution) {
    DataSpec data = new DataSpec("s3://" + BUCKET + "/data/stage1.json",
        "s3://" + BUCKET + "/data/stage2.json", "s3://" + BUCKET + "/data/images",
        "s3://" + BUCKET + "/data/eval/questions.jsonl", "", "", "",
        mixRatio > 0 ? "s3://" + BUCKET + "/data/sharegpt.json" : "", mixRatio, maxBad);
    StageSpec st = new StageSpec(1e-4, 0.03, "cosine", 0, 16, 1, 0, 128);
    return new RunSpec("", seed, new ModelSpec("tiny", resolution, "tiny-lm", "tiny-vision", 64, 2, 2),
        new TuningSpec("full", 0, 0, 0, List.of()), data, st, st, new CheckpointSpec(50, 2),
        new EvalSpec(1, 8, List.of(), "offline", ""), new ComputeSpec("jvm", "cpu", 1, 1), "");
  }

  SyntheticDataset.Summary upload(LocalFolderObjectStore store, String name,
      SyntheticDataset.Options o) {
    Path src = dir.resolve(name);
    SyntheticDataset.Summary s = SyntheticDataset.write(src, o);
    store.uploadFolder(src, "data/");
    return s;
  }

  @Test
  void endToEndCountsShardsAndQuarantine() throws Exception {
    LocalFolderObjectStore store = store();
    upload(store, "src", SyntheticDataset.Options.of(5, 20, 16, 10, 3).withBad(
        List.of(BadKind.MISSING_IMAGE, BadKind.PATH_ESCAPE),
        List.of(BadKind.TRUNCATED_JPEG, BadKind.NO_CONVERSATIONS)));
    List<String> phases = new ArrayList<>();
    DataPrepper prepper = new DataPrepper(store, DataPrepper.Options.defaults()
        .withShardBytes(40_000).withProgressEvery(8));
    DataPrepper.Result res =
        prepper.prepare("r1", spec(0.25, 0.5, 7), (p, d, t) -> phases.add(p));
    PreparedData pd = res.data();
    String out = "runs/r1/dataprep/output/";

    assertEquals(22 + 18 + 6 + pd.evalQuestions(), pd.recordsIn());
    assertEquals(pd.recordsIn(), pd.kept() + pd.quarantined());
    assertEquals(4, pd.quarantined());
    assertEquals(20, pd.stage1Samples());
    assertEquals(16 + 6, pd.stage2Samples()); // round(18 * 0.25 / 0.75) = 6 ShareGPT samples
    assertTrue(pd.evalQuestions() >= 9);
    assertEquals("s3://" + BUCKET + "/" + out, pd.outputUri());
    assertEquals("s3://" + BUCKET + "/" + out + "report.json", pd.reportUri());
    assertTrue(phases.contains("stage1") && phases.contains("stage2") && phases.contains("eval"));

    // Keys: everything written, nothing else there, no MANIFEST.
    assertEquals(store.list(out), res.writtenKeys().stream().sorted().distinct().toList());
    assertFalse(store.list(out).contains(out + "MANIFEST.json"));
    List<String> s1Shards = store.list(out + "stage1-");
    assertTrue(s1Shards.size() >= 2, "bounded shards: " + s1Shards);
    assertEquals(out + "stage1-00000.shard", s1Shards.get(0));

    // Quarantine: one line per bad record with a clear reason.
    Map<String, String> reasonById = new HashMap<>();
    for (String l : new String(store.getBytes(out + "quarantine.jsonl"), StandardCharsets.UTF_8)
        .split("\n")) {
      JsonNode q = JSON.readTree(l);
      reasonById.put(q.get("id").asText(), q.get("reason").asText() + ": " + q.get("detail"));
      assertTrue(q.has("dataset") && q.has("index"));
    }
    assertEquals(4, reasonById.size());
    assertTrue(reasonById.get("s1-bad-missing_image-0").startsWith("missing_image: "));
    assertTrue(reasonById.get("s1-bad-path_escape-1").startsWith("path_escape: "));
    assertTrue(reasonById.get("s2-bad-truncated_jpeg-0").startsWith("truncated_image: "));
    assertTrue(reasonById.get("s2-bad-no_conversations-1").startsWith("missing_conversations: "));
    JsonNode report = JSON.readTree(store.getBytes(out + "report.json"));
    assertEquals("ok", report.get("status").asText());
    assertEquals(pd.recordsIn(), report.get("recordsIn").asLong());
    assertEquals(1, report.at("/datasets/stage1/reasons/path_escape").asInt());
    assertEquals(10, report.at("/datasets/sharegpt/available").asInt());
    for (JsonNode d : report.get("datasets")) {
      assertEquals(d.get("recordsIn").asLong(),
          d.get("kept").asLong() + d.get("quarantined").asLong());
    }

    // Shards read back as training samples with the right masks.
    PreparedDataReader reader = PreparedDataReader.forRun(store, "r1");
    assertEquals(s1Shards, reader.shardKeys("stage1"));
    Path local = dir.resolve("dl");
    try (TextTokenizer tok = reader.tokenizer();
        ShardReader r1 = reader.openShards("stage1", local);
        ShardReader r2 = reader.openShards("stage2", local)) {
      assertEquals(pd.vocabSize(), tok.vocabSize());
      assertEquals(20, r1.size());
      TrainingSample a = r1.get(0);
      assertEquals(3 * 42 * 42, a.image().length);
      assertEquals(SpecialTokens.BOS, a.inputIds()[0]);
      assertEquals(SpecialTokens.IMAGE, a.inputIds()[1]);
      assertTrue(tok.decode(targets(a)).matches("a \\w+ \\w+ at the .*"), tok.decode(targets(a)));
      int textOnly = 0;
      for (int i = 0; i < r2.size(); i++) {
        TrainingSample s = r2.get(i);
        long images = Arrays.stream(s.inputIds()).filter(x -> x == SpecialTokens.IMAGE).count();
        assertEquals(s.hasImage() ? 1 : 0, images);
        if (!s.hasImage()) {
          textOnly++;
          assertTrue(s.id().startsWith("sharegpt-"));
        }
        assertEquals(SpecialTokens.EOS, s.labels()[s.labels().length - 1]);
      }
      assertEquals(6, textOnly);
      List<EvalItem> items = reader.evalItems();
      assertEquals(pd.evalQuestions(), items.size());
      EvalItem e = items.get(0);
      assertEquals(42, e.imageSize());
      assertTrue(tok.decode(e.promptIds()).endsWith("assistant :"), tok.decode(e.promptIds()));
      assertFalse(e.answer().isEmpty());
    }

    // Deterministic: a second run gives byte-identical shards.
    prepper.prepare("r2", spec(0.25, 0.5, 7), DataPrepper.Progress.NONE);
    for (String k : store.list(out)) {
      if (!k.endsWith("report.json")) {
        assertArrayEquals(store.getBytes(k),
            store.getBytes(k.replace("runs/r1/", "runs/r2/")), k);
      }
    }
  }

  /** data.mixRatio is the text-only share of all stage-2 samples, drawn from the seed. */
  @Test
  void shareGptIsMixedIntoStage2AtTheRatio() throws Exception {
    LocalFolderObjectStore store = store();
    upload(store, "src", SyntheticDataset.Options.of(4, 10, 100, 80, 1));
    PreparedData pd = new DataPrepper(store).prepare("mix", spec(0.3, 0.05, 7),
        DataPrepper.Progress.NONE).data();

    // round(100 * 0.3 / 0.7) = 43 of the 80 ShareGPT records: 43 / 143 = 0.301.
    assertEquals(143, pd.stage2Samples());
    assertEquals(43, pd.stage2TextOnly());
    PreparedDataReader reader = PreparedDataReader.forRun(store, "mix");
    int textOnly = 0;
    int firstTextOnly = -1;
    try (ShardReader r2 = reader.openShards("stage2", dir.resolve("dl"))) {
      for (int i = 0; i < r2.size(); i++) {
        TrainingSample s = r2.get(i);
        if (!s.hasImage()) {
          textOnly++;
          firstTextOnly = firstTextOnly < 0 ? i : firstTextOnly;
          assertFalse(Arrays.stream(s.inputIds()).anyMatch(x -> x == SpecialTokens.IMAGE));
        }
      }
    }
    assertEquals(43, textOnly);
    assertTrue(firstTextOnly < 20, "interleaved, not appended: first at " + firstTextOnly);
    JsonNode report = JSON.readTree(store.getBytes("runs/mix/dataprep/output/report.json"));
    assertEquals(43, report.at("/samples/stage2TextOnly").asLong());
    assertEquals(0.3, report.at("/mix/requestedRatio").asDouble());
    assertEquals(43.0 / 143, report.at("/mix/achievedRatio").asDouble(), 1e-12);
    assertTrue(report.at("/mix/limitedBy").isMissingNode());
  }

  @Test
  void badShareGptRecordsAreQuarantinedAndAShortFileLimitsTheMix() throws Exception {
    LocalFolderObjectStore store = store();
    Path src = dir.resolve("short");
    SyntheticDataset.write(src, SyntheticDataset.Options.of(4, 10, 20, 10, 1));
    Path file = src.resolve(SyntheticDataset.SHAREGPT);
    ArrayNode records = (ArrayNode) JSON.readTree(file.toFile());
    records.insert(3, JSON.readTree("{\"id\": \"sg-image\", \"image\": \"x.png\", \"conversations\": "
        + "[{\"from\": \"human\", \"value\": \"hi\"}, {\"from\": \"gpt\", \"value\": \"hello\"}]}"));
    records.insert(7, JSON.readTree("{\"id\": \"sg-empty\"}"));
    JSON.writeValue(file.toFile(), records);
    store.uploadFolder(src, "data/");

    PreparedData pd = new DataPrepper(store).prepare("short", spec(0.5, 0.5, 7),
        DataPrepper.Progress.NONE).data();
    assertEquals(10, pd.stage2TextOnly());
    JsonNode report = JSON.readTree(store.getBytes("runs/short/dataprep/output/report.json"));
    assertEquals(1, report.at("/datasets/sharegpt/reasons/unexpected_image").asInt());
    assertEquals(1, report.at("/datasets/sharegpt/reasons/missing_conversations").asInt());
    assertEquals("the sharegpt dataset has 12 records; the ratio needs 20",
        report.at("/mix/limitedBy").asText());
    assertEquals(10.0 / 30, report.at("/mix/achievedRatio").asDouble(), 1e-12);
  }

  static int[] targets(TrainingSample s) {
    return Arrays.stream(s.labels()).filter(l -> l >= 0).toArray();
  }

  @Test
  void benchmarkSetsArePreparedAndBadQuestionsQuarantined() throws Exception {
    LocalFolderObjectStore store = store();
    Path src = dir.resolve("bench");
    SyntheticDataset.write(src, SyntheticDataset.Options.of(5, 20, 16, 0, 6));
    String image = JSON.readTree(Files.readAllLines(src.resolve(SyntheticBenchmarks.MMBENCH)).get(0)).get("image").asText();
    append(src.resolve(SyntheticBenchmarks.MMBENCH),
        "{\"question_id\": \"one-option\", \"image\": \"" + image + "\", \"text\": \"q\", \"options\": [\"red\"], \"answer\": \"A\"}",
        "{\"question_id\": \"letter-c\", \"text\": \"q\", \"options\": [\"a\", \"b\"], \"answer\": \"C\"}");
    append(src.resolve(SyntheticBenchmarks.LLAVA_BENCH),
        "{\"question_id\": \"no-reference\", \"image\": \"" + image + "\", \"text\": \"Describe it.\", \"category\": \"detail\"}");
    append(src.resolve(SyntheticBenchmarks.MMLU),
        "{\"question_id\": \"options-text\", \"text\": \"q\", \"options\": \"A. x B. y\", \"answer\": \"A\"}");
    store.uploadFolder(src, "data/");
    RunSpec base = spec(0, 0.5, 7);
    String d = "s3://" + BUCKET + "/data/";
    DataSpec data = new DataSpec(base.data().stage1(), base.data().stage2(), base.data().images(), base.data().eval(),
        d + SyntheticBenchmarks.MMBENCH, d + SyntheticBenchmarks.LLAVA_BENCH, d + SyntheticBenchmarks.MMLU, "", 0, 0.5);
    RunSpec spec = new RunSpec("", 7, base.model(), base.tuning(), data, base.stage1(), base.stage2(), base.checkpoint(),
        new EvalSpec(1, 8, EvalSpec.BENCHMARKS, "offline", ""), base.compute(), "");

    new DataPrepper(store).prepare("b1", spec, DataPrepper.Progress.NONE);

    JsonNode report = JSON.readTree(store.getBytes("runs/b1/dataprep/output/report.json"));
    assertEquals(3, report.at("/samples/mmbench").asInt());
    assertEquals(3, report.at("/samples/llava-bench").asInt());
    assertEquals(3, report.at("/samples/mmlu").asInt());
    assertEquals(1, report.at("/datasets/mmbench/reasons/bad_options").asInt());
    assertEquals(1, report.at("/datasets/mmbench/reasons/bad_answer").asInt());
    assertEquals(1, report.at("/datasets/llava-bench/reasons/missing_answer").asInt());
    assertEquals(1, report.at("/datasets/mmlu/reasons/bad_options").asInt());

    PreparedDataReader reader = PreparedDataReader.forRun(store, "b1");
    for (EvalItem item : reader.benchmarkItems("mmbench")) {
      assertTrue(item.options().size() >= 3, item.questionId());
      assertEquals(3 * 42 * 42, item.pixels().length);
      assertTrue(item.answer().matches("[A-D]"));
    }
    for (EvalItem item : reader.benchmarkItems("llava-bench")) {
      assertFalse(item.context().isEmpty());
      assertTrue(item.options().isEmpty());
    }
    for (EvalItem item : reader.benchmarkItems("mmlu")) {
      assertEquals(null, item.pixels());
      assertEquals(0, item.imageSize());
    }
    assertTrue(reader.benchmarkItems("nothing").isEmpty());
  }

  private static void append(Path jsonl, String... lines) throws Exception {
    Files.writeString(jsonl, Files.readString(jsonl).stripTrailing() + "\n" + String.join("\n", lines) + "\n");
  }

  @Test
  void malformedJsonFailsWithBadDataset() throws Exception {
    LocalFolderObjectStore store = store();
    upload(store, "src", SyntheticDataset.Options.of(3, 5, 5, 0, 1));
    byte[] s2 = store.getBytes("data/stage2.json");
    store.putBytes("data/stage2.json", Arrays.copyOf(s2, s2.length / 2));
    ApplicationFailure f = assertThrows(ApplicationFailure.class,
        () -> new DataPrepper(store).prepare("bad", spec(0, 0.5, 1), null));
    assertEquals(DataPrepper.BAD_DATASET, f.getType());
    assertTrue(f.isNonRetryable());
    String msg = f.getOriginalMessage();
    assertTrue(msg.contains("stage2") && msg.contains("s3://" + BUCKET + "/data/stage2.json"),
        msg);
    assertTrue(msg.contains("runs/bad/dataprep/output/report.json"), msg);
    assertEquals("failed",
        JSON.readTree(store.getBytes("runs/bad/dataprep/output/report.json")).get("status")
            .asText());

    store.putBytes("data/stage2.json", "{\"id\": 1}".getBytes(StandardCharsets.UTF_8));
    f = assertThrows(ApplicationFailure.class,
        () -> new DataPrepper(store).prepare("bad2", spec(0, 0.5, 1), null));
    assertTrue(f.getOriginalMessage().contains("expected a JSON array"), f.getOriginalMessage());
  }

  @Test
  void badFractionAboveThresholdFailsTheRun() throws Exception {
    LocalFolderObjectStore store = store();
    upload(store, "src", SyntheticDataset.Options.of(9, 10, 5, 0, 1).withBad(
        List.of(BadKind.MISSING_IMAGE, BadKind.PATH_ESCAPE, BadKind.MISSING_IMAGE), List.of()));
    ApplicationFailure f = assertThrows(ApplicationFailure.class,
        () -> new DataPrepper(store).prepare("frac", spec(0, 0.2, 1), null));
    assertEquals(DataPrepper.BAD_DATASET, f.getType());
    String msg = f.getOriginalMessage();
    assertTrue(msg.contains("stage1") && msg.contains("of 13 records quarantined"), msg);
    assertTrue(msg.contains("missing_image x2"), msg);
    assertTrue(msg.contains("s3://" + BUCKET + "/runs/frac/dataprep/output/report.json"), msg);
    // Same data under a looser threshold passes.
    PreparedData ok = new DataPrepper(store).prepare("frac2", spec(0, 0.25, 1), null).data();
    assertEquals(3, ok.quarantined());
  }

  /** Live heap (after GC) sampled at progress callbacks does not grow with dataset size. */
  @Test
  void heapDoesNotGrowWithDatasetSize() throws Exception {
    // 84 px images (resolution 336): a per-record pixel leak would add ~5 MiB between the runs.
    long small = peakLiveHeap("n", 40);
    long large = peakLiveHeap("n4", 160);
    System.out.println("peak live heap KiB: " + (small >> 10) + " -> " + (large >> 10));
    assertTrue(large < small + (3L << 20),
        "peak live heap grew from " + (small >> 10) + " KiB to " + (large >> 10) + " KiB");
  }

  long peakLiveHeap(String name, int n) throws Exception {
    Path b = dir.resolve(name);
    Files.createDirectories(b);
    LocalFolderObjectStore store = new LocalFolderObjectStore(b, BUCKET);
    Path src = dir.resolve(name + "-src");
    SyntheticDataset.write(src, SyntheticDataset.Options.of(11, n, n, n / 2, 2));
    store.uploadFolder(src, "data/");
    long[] peak = {0};
    var mem = ManagementFactory.getMemoryMXBean();
    DataPrepper p = new DataPrepper(store, DataPrepper.Options.defaults().withProgressEvery(n / 4)
        .withShardBytes(256 << 10));
    p.prepare(name, spec(0.2, 0.1, 3, 336), (phase, done, total) -> {
      if (phase.equals("stage1") || phase.equals("stage2")) {
        System.gc();
        peak[0] = Math.max(peak[0], mem.getHeapMemoryUsage().getUsed());
      }
    });
    return peak[0];
  }
}
