package io.llavascale.activities.dataprep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.dataprep.JsonArrayReader.MalformedDatasetException;
import io.llavascale.activities.dataprep.PrepReport.Stats;
import io.llavascale.activities.dataprep.RecordValidator.Kind;
import io.llavascale.activities.dataprep.RecordValidator.Valid;
import io.llavascale.activities.lifecycle.LocalFolders;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.model.data.ConversationFormatter.Template;
import io.llavascale.model.data.ConversationFormatter;
import io.llavascale.model.data.EvalItem;
import io.llavascale.model.data.EvalItemWriter;
import io.llavascale.model.data.ImageDecodeException;
import io.llavascale.model.data.ImagePreprocessor;
import io.llavascale.model.data.ShardRecord;
import io.llavascale.model.data.ShardWriter;
import io.llavascale.model.data.TokenizedSample;
import io.llavascale.model.data.Turn;
import io.llavascale.model.metrics.MultipleChoice;
import io.llavascale.model.tokenizer.TextTokenizer;
import io.llavascale.model.tokenizer.WordTokenizerBuilder;
import io.llavascale.workflows.spec.DataSpec;
import io.llavascale.workflows.spec.EvalSpec;
import io.llavascale.workflows.spec.ModelSpec;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.stages.PreparedData;
import io.temporal.failure.ApplicationFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * DataPrep: raw LLaVA JSON + images in the object store -> validated, resized, tokenized shards.
 *
 * <p>Reads every dataset by streaming (one record in memory at a time) in two passes: the first
 * checks each record's schema and counts its words for the tokenizer; the second validates fully
 * (image exists, stays in the image folder, decodes), pads and resizes the image, formats and
 * tokenizes the conversation (stage 1 {@code plain}, stage 2 {@code v1}) and appends it to a shard.
 * Shards are written to a local temp folder, uploaded as each fills, and deleted, so disk and
 * memory stay bounded whatever the dataset size.
 *
 * <p>Writes under {@code runs/<runId>/dataprep/output/} (deleting what an earlier attempt left
 * there first): {@code stage1-NNNNN.shard}, {@code stage2-NNNNN.shard} (ShareGPT text-only samples
 * mixed in at {@code mixRatio}, deterministically from the run seed), {@code eval.jsonl},
 * {@code eval-<benchmark>.jsonl} for each of {@code eval.benchmarks}, {@code tokenizer.json}, {@code quarantine.jsonl}, {@code report.json}. It does not write
 * {@code MANIFEST.json} or {@code result.json}: the caller commits the stage with the returned
 * keys.
 *
 * <p>Bad records are quarantined with a reason. A malformed dataset file, a missing dataset, a
 * dataset with no usable record, or a quarantined fraction above {@code maxBadFraction} in any
 * dataset fails with a non-retryable {@code ApplicationFailure} of type {@value #BAD_DATASET}
 * (after report.json and quarantine.jsonl are uploaded). Object-store errors propagate as they
 * are (retryable). Plain Java; the activity wraps it and heartbeats from the progress callback.
 */
public final class DataPrepper {
  public static final String BAD_DATASET = "BadDataset";
  public static final String STAGE = "dataprep";
  public static final String TOKENIZER = "tokenizer.json";
  public static final String EVAL_ITEMS = "eval.jsonl";
  public static final String QUARANTINE = "quarantine.jsonl";
  public static final String REPORT = "report.json";
  public static final String STAGE1_PREFIX = "stage1";
  public static final String STAGE2_PREFIX = "stage2";
  /** Patch size of the vision tower; the image token expands into (size / PATCH)^2 patches. */
  public static final int PATCH = 14;

  private static final long MIX_SALT = 0x5EED_DA7A_0000_0002L;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Progress for heartbeats: phase name, records done in it, records expected (-1: unknown). */
  @FunctionalInterface
  public interface Progress {
    void update(String phase, long done, long total);

    Progress NONE = (phase, done, total) -> {};
  }

  /**
   * @param maxShardBytes   a shard is closed once it holds this many bytes
   * @param maxShardSamples ... or this many samples
   * @param maxVocab        tokenizer vocabulary cap (special tokens included)
   * @param maxTrackedWords bound of the word-count map
   * @param maxImageBytes   larger image files are quarantined
   * @param progressEvery   records between progress callbacks
   * @param tmpRoot         where the local temp folder goes (null: java.io.tmpdir)
   */
  public record Options(
      long maxShardBytes,
      int maxShardSamples,
      int maxVocab,
      int maxTrackedWords,
      long maxImageBytes,
      int progressEvery,
      Path tmpRoot) {
    public static Options defaults() {
      return new Options(64L << 20, 16_384, 16_384, 1_000_000, 32L << 20, 256, null);
    }

    public Options withShardBytes(long bytes) {
      return new Options(bytes, maxShardSamples, maxVocab, maxTrackedWords, maxImageBytes,
          progressEvery, tmpRoot);
    }

    public Options withProgressEvery(int every) {
      return new Options(maxShardBytes, maxShardSamples, maxVocab, maxTrackedWords, maxImageBytes,
          every, tmpRoot);
    }
  }

  /** What was prepared, and every key written (bucket-relative, in write order). */
  public record Result(PreparedData data, List<String> writtenKeys) {}

  private final ObjectStore store;
  private final Options options;

  public DataPrepper(ObjectStore store) {
    this(store, Options.defaults());
  }

  public DataPrepper(ObjectStore store, Options options) {
    this.store = store;
    this.options = options;
  }

  /** {@code runs/<runId>/dataprep/output/}. */
  public static String outputPrefix(String runId) {
    return "runs/" + runId + "/" + STAGE + "/output/";
  }

  /** The prepared items of a benchmark of {@link EvalSpec#BENCHMARKS}: {@code eval-<name>.jsonl}. */
  public static String benchmarkItems(String benchmark) {
    return "eval-" + benchmark + ".jsonl";
  }

  /** Image side the shards hold: the tiny model's scaled-down size (42 or 84), else the resolution. */
  public static int imageSize(ModelSpec model) {
    return "tiny".equalsIgnoreCase(model.size())
        ? io.llavascale.model.llava.TinyLlavaConfig.forResolution(model.resolution(), 1).imageSize()
        : model.resolution();
  }

  public Result prepare(String runId, RunSpec spec, Progress progress) {
    Path tmp;
    try {
      tmp = options.tmpRoot() == null
          ? Files.createTempDirectory("dataprep-")
          : Files.createTempDirectory(options.tmpRoot(), "dataprep-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return new Run(runId, spec, progress == null ? Progress.NONE : progress, tmp).run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      LocalFolders.delete(tmp);
    }
  }

  /** One prepare call's state. */
  private final class Run {
    final String runId;
    final RunSpec spec;
    final DataSpec data;
    final Progress progress;
    final Path tmp;
    final String out;
    String imagesPrefix;
    final int imageSize;
    final int patches;
    final List<String> written = new ArrayList<>();
    PrepReport report;
    ConversationFormatter formatter;
    int vocabSize;

    Run(String runId, RunSpec spec, Progress progress, Path tmp) {
      this.runId = runId;
      this.spec = spec;
      this.data = spec.data();
      this.progress = progress;
      this.tmp = tmp;
      this.out = outputPrefix(runId);
      this.imageSize = imageSize(spec.model());
      this.patches = (imageSize / PATCH) * (imageSize / PATCH);
    }

    Result run() throws IOException {
      store.deletePrefix(out);
      try (PrepReport rep = new PrepReport(tmp.resolve(QUARANTINE))) {
        report = rep;
        return runWithReport();
      }
    }

    Result runWithReport() throws IOException {
      imagesPrefix = folderKey(data.images());
      String stage1Key = requiredKey("stage1", data.stage1());
      String stage2Key = requiredKey("stage2", data.stage2());
      boolean mix = data.mixRatio() > 0 && data.sharegpt() != null && !data.sharegpt().isBlank();
      String shareKey = mix ? requiredKey("sharegpt", data.sharegpt()) : null;
      boolean hasEval = data.eval() != null && !data.eval().isBlank();
      String evalKey = hasEval ? requiredKey("eval", data.eval()) : null;

      Stats s1 = report.dataset("stage1", data.stage1());
      Stats s2 = report.dataset("stage2", data.stage2());
      Stats sg = mix ? report.dataset("sharegpt", data.sharegpt()) : null;
      Stats ev = hasEval ? report.dataset("eval", data.eval()) : null;

      // Pass 1: schema + word counts.
      WordTokenizerBuilder words =
          new WordTokenizerBuilder(options.maxVocab(), 1, options.maxTrackedWords());
      s1.expected = countWords(s1, stage1Key, Kind.CAPTION, words);
      s2.expected = countWords(s2, stage2Key, Kind.INSTRUCT, words);
      long shareTake = 0;
      long shareWanted = 0;
      if (mix) {
        sg.available = countWords(sg, shareKey, Kind.TEXT_ONLY, words);
        // mixRatio is the text-only share of all stage-2 samples: t / (s2 + t) = r.
        double r = Math.min(data.mixRatio(), 1.0);
        shareWanted = r >= 1.0 ? sg.available : Math.round(s2.expected * r / (1.0 - r));
        shareTake = Math.min(sg.available, shareWanted);
        sg.expected = shareTake;
      }

      Path tokFile = tmp.resolve(TOKENIZER);
      vocabSize = words.write(tokFile);
      upload(TOKENIZER, tokFile);

      // Benchmarks are held out like data.eval: validated, pictures resized, never trained on.
      Map<String, String> benchmarkKeys = new LinkedHashMap<>();
      for (String name : spec.eval().benchmarks()) {
        benchmarkKeys.put(name, requiredKey(DataSpec.benchmarkField(name), data.benchmark(name)));
      }

      long stage1Samples;
      long stage2Samples;
      long evalItems = 0;
      Map<String, Long> benchmarkItems = new LinkedHashMap<>();
      try (TextTokenizer tok = TextTokenizer.load(tokFile)) {
        formatter = new ConversationFormatter(tok);
        stage1Samples = stage1(s1, stage1Key);
        requireKept(s1);
        stage2Samples = stage2(s2, stage2Key, sg, shareKey, shareTake);
        requireKept(s2);
        if (hasEval) {
          evalItems = eval(ev, evalKey, EVAL_ITEMS, null);
        }
        for (Map.Entry<String, String> b : benchmarkKeys.entrySet()) {
          Stats stats = report.dataset(b.getKey(), data.benchmark(b.getKey()));
          benchmarkItems.put(b.getKey(), eval(stats, b.getValue(), benchmarkItems(b.getKey()), b.getKey()));
          requireKept(stats);
        }
      }
      for (Stats s : report.all()) {
        checkFraction(s, true);
      }
      report.extra.put("imageSize", imageSize);
      report.extra.put("vocabSize", vocabSize);
      Map<String, Long> samples = new LinkedHashMap<>();
      samples.put("stage1", stage1Samples);
      samples.put("stage2", stage2Samples);
      samples.put("eval", evalItems);
      long textOnly = mix ? sg.kept : 0;
      samples.put("stage2TextOnly", textOnly);
      samples.putAll(benchmarkItems);
      report.extra.put("samples", samples);
      if (mix) {
        report.extra.put("mix", mixReport(textOnly, stage2Samples, shareWanted, sg.available));
      }
      writeReport("ok", null);
      PreparedData prepared = new PreparedData(store.uri(out), report.total(s -> s.in),
          report.total(s -> s.kept), report.total(s -> s.quarantined), store.uri(out + REPORT),
          vocabSize, stage1Samples, stage2Samples, evalItems, textOnly);
      return new Result(prepared, List.copyOf(written));
    }

    /** The requested and the achieved text-only share, and why they differ when they do. */
    Map<String, Object> mixReport(long textOnly, long stage2Samples, long wanted, long available) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("requestedRatio", data.mixRatio());
      m.put("textOnlySamples", textOnly);
      m.put("achievedRatio", stage2Samples == 0 ? 0.0 : (double) textOnly / stage2Samples);
      if (wanted > available) {
        m.put("limitedBy", "the sharegpt dataset has " + available + " records; the ratio needs "
            + wanted);
      }
      return m;
    }

    // ---- pass 1 ----

    long countWords(Stats s, String key, Kind kind, WordTokenizerBuilder words)
        throws IOException {
      String phase = "scan:" + s.name;
      long n = 0;
      try (JsonArrayReader r = new JsonArrayReader(store.open(key))) {
        for (JsonNode node = r.next(); node != null; node = r.next()) {
          n++;
          try {
            Valid v = RecordValidator.validate(node, kind);
            if (kind == Kind.CAPTION) {
              words.add(v.turns().get(1).value());
            } else {
              for (Turn t : v.turns()) {
                words.add(t.value());
              }
            }
          } catch (Rejection ignored) {
            // Counted and reported in pass 2.
          }
          tick(phase, n, -1);
        }
      } catch (MalformedDatasetException e) {
        throw fail(s.name + " dataset " + s.uri + " is not a valid LLaVA JSON array: "
            + e.getMessage() + ". Fix or regenerate the file; no record of it was used.");
      }
      progress.update(phase, n, n);
      return n;
    }

    // ---- pass 2 ----

    long stage1(Stats s, String key) throws IOException {
      try (ShardWriter w = shardWriter(STAGE1_PREFIX);
          JsonArrayReader r = new JsonArrayReader(store.open(key))) {
        for (JsonNode node = r.next(); node != null; node = r.next()) {
          process(s, node, r.index(), Kind.CAPTION, Template.PLAIN, w, maxLength(spec.stage1()));
          tick("stage1", s.in, s.expected);
        }
        progress.update("stage1", s.in, s.expected);
        return w.count();
      } catch (MalformedDatasetException e) {
        throw fail("stage1 dataset " + s.uri + " changed while it was read: " + e.getMessage());
      }
    }

    long stage2(Stats s2, String key, Stats sg, String shareKey, long shareTake)
        throws IOException {
      int maxLen = maxLength(spec.stage2());
      Random interleave = new Random(spec.seed() ^ MIX_SALT);
      Random select = new Random(spec.seed() ^ (MIX_SALT * 31));
      try (ShardWriter w = shardWriter(STAGE2_PREFIX);
          JsonArrayReader r2 = new JsonArrayReader(store.open(key));
          JsonArrayReader rs = shareTake > 0 ? new JsonArrayReader(store.open(shareKey)) : null) {
        long rem2 = s2.expected;
        long remShare = shareTake;
        long need = shareTake;
        while (rem2 + remShare > 0) {
          boolean share = remShare > 0
              && (rem2 == 0 || interleave.nextDouble() * (rem2 + remShare) < remShare);
          if (share) {
            // Selection sampling: exactly shareTake records, evenly spread over the file.
            JsonNode node;
            while (true) {
              node = rs.next();
              if (node == null) {
                break;
              }
              long left = sg.available - rs.index();
              if (select.nextDouble() * left < need) {
                need--;
                break;
              }
            }
            remShare--;
            if (node == null) {
              remShare = 0;
              continue;
            }
            process(sg, node, rs.index(), Kind.TEXT_ONLY, Template.V1, w, maxLen);
          } else {
            JsonNode node = r2.next();
            rem2--;
            if (node == null) {
              rem2 = 0;
              continue;
            }
            process(s2, node, r2.index(), Kind.INSTRUCT, Template.V1, w, maxLen);
          }
          long done = s2.in + (sg == null ? 0 : sg.in);
          tick("stage2", done, s2.expected + shareTake);
        }
        progress.update("stage2", s2.in + (sg == null ? 0 : sg.in), s2.expected + shareTake);
        return w.count();
      } catch (MalformedDatasetException e) {
        throw fail("stage2/sharegpt dataset changed while it was read: " + e.getMessage());
      }
    }

    void process(Stats s, JsonNode node, long index, Kind kind, Template template, ShardWriter w,
        int maxLen) throws IOException {
      String id = node != null && node.hasNonNull("id") ? node.get("id").asText() : null;
      try {
        Valid v = RecordValidator.validate(node, kind);
        byte[] pixels = v.image() == null ? null : loadImage(v.image());
        TokenizedSample t;
        try {
          t = formatter.format(template, v.turns(), pixels != null, maxLen, patches);
        } catch (IllegalArgumentException e) {
          throw new Rejection("bad_turn_order", e.getMessage());
        }
        if (t.targetTokens() == 0) {
          throw new Rejection("no_target_tokens",
              "no answer token left within max length " + maxLen);
        }
        w.write(new ShardRecord(v.id(), t.inputIds(), t.labels(), pixels,
            pixels == null ? 0 : imageSize));
        report.kept(s);
      } catch (Rejection r) {
        report.quarantine(s, index, id, r.reason, r.getMessage());
        checkFraction(s, false);
      }
    }

    /**
     * Held-out questions (model_vqa jsonl) to {@code fileName}. Benchmark sets add to a question:
     * mmbench and mmlu its {@code options} and the right one's letter as {@code answer};
     * llava-bench a reference {@code answer} and an optional {@code context} describing the image.
     *
     * @param benchmark null for data.eval
     */
    long eval(Stats s, String key, String fileName, String benchmark) throws IOException {
      Path file = tmp.resolve(fileName);
      long index = -1;
      try (OutputStream os = Files.newOutputStream(file);
          EvalItemWriter w = new EvalItemWriter(os);
          BufferedReader in = new BufferedReader(
              new InputStreamReader(store.open(key), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (line.isBlank()) {
            continue;
          }
          index++;
          String id = null;
          try {
            JsonNode n;
            try {
              n = JSON.readTree(line);
            } catch (IOException e) {
              throw new Rejection("malformed_line", "line is not valid JSON");
            }
            if (n == null || !n.isObject()) {
              throw new Rejection("not_an_object", "line is not a JSON object");
            }
            JsonNode qid = n.get("question_id");
            if (qid == null || !(qid.isNumber() || qid.isTextual())) {
              throw new Rejection("missing_id", "question has no \"question_id\"");
            }
            id = qid.asText();
            JsonNode text = n.get("text");
            if (text == null || !text.isTextual() || text.asText().isBlank()) {
              throw new Rejection("missing_text", "question has no \"text\"");
            }
            String image = n.hasNonNull("image") ? n.get("image").asText() : "";
            byte[] pixels = null;
            if (!image.isEmpty()) {
              RecordValidator.checkPath(image);
              pixels = loadImage(image);
            }
            String q = text.asText().replace("<image>", "").strip();
            String answer = n.path("answer").asText("");
            List<String> options = benchmark == null ? List.of() : options(n, benchmark);
            if (!options.isEmpty()) {
              checkChoice(options, answer);
            } else if (EvalSpec.LLAVA_BENCH.equals(benchmark) && answer.isBlank()) {
              throw new Rejection("missing_answer", "question has no reference \"answer\"");
            }
            w.write(new EvalItem(id, n.path("category").asText(""), image, q, answer, options,
                benchmark == null ? "" : n.path("context").asText(""),
                formatter.evalPrompt(q, pixels != null), pixels, pixels == null ? 0 : imageSize));
            report.kept(s);
          } catch (Rejection r) {
            report.quarantine(s, index, id, r.reason, r.getMessage());
          }
          tick(s.name, s.in, -1);
        }
      }
      s.expected = s.in;
      upload(fileName, file);
      progress.update(s.name, s.in, s.in);
      return s.kept;
    }

    /** A multiple-choice set's options; empty for the other sets. */
    List<String> options(JsonNode n, String benchmark) throws Rejection {
      if (!EvalSpec.MMBENCH.equals(benchmark) && !EvalSpec.MMLU.equals(benchmark)) {
        return List.of();
      }
      JsonNode o = n.get("options");
      if (o == null || !o.isArray() || o.isEmpty()) {
        throw new Rejection("bad_options", "question has no \"options\" list");
      }
      List<String> options = new ArrayList<>();
      for (JsonNode option : o) {
        if (!option.isTextual() || option.asText().isBlank()) {
          throw new Rejection("bad_options", "an option is not a non-empty string");
        }
        options.add(option.asText().strip());
      }
      return options;
    }

    void checkChoice(List<String> options, String answer) throws Rejection {
      if (options.size() < 2 || options.size() > MultipleChoice.MAX_OPTIONS) {
        throw new Rejection("bad_options", options.size() + " options; 2 to " + MultipleChoice.MAX_OPTIONS + " are allowed");
      }
      int index = MultipleChoice.index(answer);
      if (index < 0 || index >= options.size()) {
        throw new Rejection("bad_answer", "answer '" + answer + "' is not the letter of one of its "
            + options.size() + " options");
      }
    }

    byte[] loadImage(String path) throws Rejection {
      RecordValidator.checkPath(path);
      String key = imagesPrefix + path;
      Optional<Long> size = store.size(key);
      if (size.isEmpty()) {
        throw new Rejection("missing_image", "image not found: " + store.uri(key));
      }
      if (size.get() > options.maxImageBytes()) {
        throw new Rejection("image_too_large",
            "image " + path + " is " + size.get() + " bytes (cap " + options.maxImageBytes() + ")");
      }
      try {
        return ImagePreprocessor.preprocess(store.getBytes(key), imageSize);
      } catch (ImageDecodeException e) {
        String msg = e.getMessage();
        throw new Rejection(msg.contains("truncated") ? "truncated_image" : "bad_image",
            msg + " (" + path + ")");
      }
    }

    // ---- helpers ----

    ShardWriter shardWriter(String prefix) {
      return new ShardWriter(tmp, prefix, options.maxShardBytes(), options.maxShardSamples(),
          (name, file, n) -> {
            upload(name, file);
            Files.deleteIfExists(file);
          });
    }

    void upload(String name, Path file) {
      store.putFile(out + name, file);
      written.add(out + name);
    }

    void tick(String phase, long done, long total) {
      if (options.progressEvery() > 0 && done % options.progressEvery() == 0) {
        progress.update(phase, done, total);
      }
    }

    void requireKept(Stats s) throws IOException {
      if (s.kept == 0) {
        throw fail(s.name + " dataset " + s.uri + " has no usable record (" + s.in + " read, "
            + s.quarantined + " quarantined" + (s.quarantined > 0 ? ": " + s.topReasons(3) : "")
            + ").");
      }
    }

    /** Fails when the dataset's quarantined fraction exceeds the cap (of all its records). */
    void checkFraction(Stats s, boolean atEnd) throws IOException {
      long total = atEnd || s.expected < 0 ? s.in : s.expected;
      if (total <= 0 || s.quarantined <= data.maxBadFraction() * total) {
        return;
      }
      throw fail(String.format(
          "%s dataset %s: %d of %d records quarantined (%.1f%%), above maxBadFraction %.1f%%%s. "
              + "Top reasons: %s. First: %s.",
          s.name, s.uri, s.quarantined, total, 100.0 * s.quarantined / total,
          100.0 * data.maxBadFraction(), atEnd ? "" : " (stopped early)", s.topReasons(3),
          s.firstDetail));
    }

    /** Uploads the report and quarantine list, then builds the non-retryable failure. */
    ApplicationFailure fail(String problem) throws IOException {
      String message = problem + " Report: " + store.uri(out + REPORT) + ", quarantined records: "
          + store.uri(out + QUARANTINE) + ".";
      writeReport("failed", message);
      return ApplicationFailure.newNonRetryableFailure(message, BAD_DATASET);
    }

    void writeReport(String status, String failure) throws IOException {
      upload(QUARANTINE, report.quarantineFile());
      byte[] json = report.toJson(runId, status, failure);
      store.putBytes(out + REPORT, json);
      written.add(out + REPORT);
    }

    String requiredKey(String name, String uri) throws IOException {
      if (uri == null || uri.isBlank()) {
        throw fail("no " + name + " dataset is configured (data." + name + " is empty).");
      }
      String key = key(uri);
      if (store.size(key).isEmpty()) {
        throw fail(name + " dataset not found at " + store.uri(key) + ".");
      }
      return key;
    }

    String key(String uri) throws IOException {
      if (!uri.startsWith("s3://")) {
        return uri.startsWith("/") ? uri.substring(1) : uri;
      }
      String rest = uri.substring("s3://".length());
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      if (!bucket.equals(store.bucket())) {
        throw fail("dataset " + uri + " is in bucket " + bucket + ", but this worker's store is "
            + store.bucket() + "; copy the data into " + store.bucket() + ".");
      }
      return slash < 0 ? "" : rest.substring(slash + 1);
    }

    String folderKey(String uri) throws IOException {
      if (uri == null || uri.isBlank()) {
        return "";
      }
      String k = key(uri);
      return k.isEmpty() || k.endsWith("/") ? k : k + "/";
    }
  }

  private static int maxLength(io.llavascale.workflows.spec.StageSpec stage) {
    return stage == null ? 0 : Math.max(0, stage.maxLength());
  }


  /** For tests and the CLI: the report of a finished run as a map. */
  public static Map<String, Object> readReport(ObjectStore store, String runId) {
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> m =
          JSON.readValue(store.getBytes(outputPrefix(runId) + REPORT), LinkedHashMap.class);
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
