package io.llavascale.activities.merge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.llavascale.activities.lifecycle.LocalFolders;
import io.llavascale.activities.lifecycle.StageContext;
import io.llavascale.activities.store.Manifest;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.S3Uri;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.model.checkpoint.ShardedSafetensors;
import io.llavascale.model.merge.AdapterConfig;
import io.llavascale.model.merge.BaseTransform;
import io.llavascale.model.merge.InvalidAdapterException;
import io.llavascale.model.merge.LayerProbe;
import io.llavascale.model.merge.LoraAdapter;
import io.llavascale.model.merge.MergeVerificationException;
import io.llavascale.model.merge.MergeVerifier;
import io.llavascale.model.merge.StreamingMerge;
import io.llavascale.model.merge.Verification;
import io.llavascale.model.merge.WholeModelProbe;
import io.llavascale.model.quant.QuantizedBase;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.stages.MergeRequest;
import io.llavascale.workflows.stages.MergeResult;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.StageProgress;
import io.temporal.failure.ApplicationFailure;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MergeLora against the store: download the base (stage 1's output) and stage 2's adapter, merge
 * them tensor by tensor into {@code runs/<runId>/merge/output/llava-merged/}, check the result on a
 * probe batch (the whole tiny model against its unmerged self; every adapted layer of a model the
 * JVM cannot run), and commit the output (manifest last) with {@code merge-report.json}.
 */
public final class LoraMerger {
  /** Non-retryable failure type: the adapter is malformed or does not fit the base. */
  public static final String BAD_ADAPTER = "BadAdapter";
  /** Non-retryable failure type: the merged weights do not reproduce base + adapter. */
  public static final String MERGE_MISMATCH = "MergeMismatch";
  /** Non-retryable failure type: a tuning method with nothing to merge. */
  public static final String UNSUPPORTED = "UnsupportedMerge";
  /**
   * The merged model's folder. LLaVA's loader picks its code path from the folder name: "llava" and
   * no "lora" loads it as a whole LLaVA model (with "lora" it would look for a base to merge into).
   */
  public static final String MODEL_FOLDER = "llava-merged";
  public static final String REPORT = "merge-report.json";
  /** Probe inputs per adapted layer: enough to catch a wrong row, cheap next to the merge itself. */
  static final int PROBE_ROWS = 8;
  /** Probe sequences through the whole tiny model: two with an image, two without. */
  static final int PROBE_SAMPLES = 4;

  private static final Logger log = LoggerFactory.getLogger(LoraMerger.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final ObjectStore store;
  private final Path scratch;

  @Inject
  public LoraMerger(ObjectStore store, @Named("scratch") Path scratch) {
    this.store = store;
    this.scratch = scratch;
  }

  public MergeResult merge(MergeRequest request, StageContext context) throws IOException {
    StageOutputs outputs = StageOutputs.forStage(store, request.runId(), StageNames.MERGE);
    Optional<MergeResult> committed = outputs.readCommitted(MergeResult.class);
    if (committed.isPresent()) {
      log.info("{}: output already committed at {}; returning it", context.label(), outputs.uri());
      return committed.get();
    }
    BaseTransform transform = baseTransform(request.spec());
    long started = System.nanoTime();
    Path work = LocalFolders.fresh(scratch.resolve(request.runId()).resolve(StageNames.MERGE));
    try {
      Path base = download(request.baseUri(), work.resolve("base"));
      // The base's own commit files are bookkeeping of stage 1, not part of the model.
      Files.deleteIfExists(base.resolve(StageOutputs.RESULT_FILE));
      Files.deleteIfExists(base.resolve(Manifest.FILE_NAME));
      Path adapterFolder = download(request.tuned().outputUri(), work.resolve("adapter"));
      Path output = work.resolve("output");
      Path model = output.resolve(MODEL_FOLDER);
      log.info("{}: merging adapter {} into base {}", context.label(), request.tuned().outputUri(), request.baseUri());
      try (LoraAdapter adapter = LoraAdapter.open(adapterFolder)) {
        StreamingMerge.Summary summary = StreamingMerge.run(base, adapter, model,
            new StreamingMerge.Options(ShardedSafetensors.DEFAULT_MAX_SHARD_BYTES, transform),
            (done, total, name, bytes, totalBytes) -> context.progress(new StageProgress(StageNames.MERGE, done, total,
                0, 0, 0, eta(started, bytes, totalBytes), ""), 0));
        Verification verification = verifier(request.spec())
            .verify(new MergeVerifier.Inputs(base, adapter, transform, model));
        log.info("{}: {}", context.label(), verification.summary());
        verification.requirePassed();
        Files.write(output.resolve(REPORT), JSON.writeValueAsBytes(report(request, adapter.config(), summary, verification)));
        String reason = String.format(Locale.ROOT, "merged %d adapted of %d tensors (%d replaced), %.2f GB;"
                + " %s max abs diff %.3g", summary.merged(), summary.tensors(), summary.replaced(),
            summary.bytes() / 1e9, verification.method(), verification.maxAbsDiff());
        MergeResult result = new MergeResult(false, reason, outputs.uri() + MODEL_FOLDER + "/",
            (System.nanoTime() - started) / 1e9, verification.method(), verification.maxAbsDiff());
        outputs.commit(output, result);
        log.info("{}: done {} peakBuffers={}MB output={}", context.label(), reason,
            summary.peakBufferBytes() >> 20, result.outputUri());
        return result;
      }
    } catch (InvalidAdapterException e) {
      throw ApplicationFailure.newNonRetryableFailure(StageNames.MERGE + ": " + e.getMessage(), BAD_ADAPTER);
    } catch (MergeVerificationException e) {
      throw ApplicationFailure.newNonRetryableFailure(StageNames.MERGE + ": " + e.getMessage(), MERGE_MISMATCH);
    } finally {
      LocalFolders.delete(work);
    }
  }

  /**
   * What stage 2's adapters were trained against, so the merge lands them on the same weights:
   * the stored base for LoRA, its NF4 round trip for QLoRA (the merged model is then the model
   * QLoRA trained, not the F32 base plus adapters fitted to a rounded one).
   */
  static BaseTransform baseTransform(RunSpec spec) {
    return switch (spec.tuning().method()) {
      case "lora" -> BaseTransform.IDENTITY;
      case "qlora" -> QuantizedBase.ROUND_TRIP;
      default -> throw ApplicationFailure.newNonRetryableFailure(StageNames.MERGE + ": tuning method "
          + spec.tuning().method() + " trains no adapters, so there is nothing to merge", UNSUPPORTED);
    };
  }

  /** The tiny model runs here, so its merge is checked whole; a large one layer by layer. */
  static MergeVerifier verifier(RunSpec spec) {
    return spec.model().size().equals("tiny")
        ? new WholeModelProbe(spec.seed(), PROBE_SAMPLES)
        : new LayerProbe(spec.seed(), PROBE_ROWS);
  }

  private Path download(String uri, Path folder) throws IOException {
    Files.createDirectories(folder);
    store.getPrefix(S3Uri.parse(uri).key(), folder);
    return folder;
  }

  private static double eta(long startedNanos, long bytesDone, long bytesTotal) {
    double elapsed = (System.nanoTime() - startedNanos) / 1e9;
    return bytesDone <= 0 ? 0 : elapsed * (bytesTotal - bytesDone) / bytesDone;
  }

  private static Map<String, Object> report(MergeRequest request, AdapterConfig config, StreamingMerge.Summary summary,
      Verification verification) {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("base", request.baseUri());
    report.put("adapter", request.tuned().outputUri());
    report.put("adapterConfig", Map.of("r", config.r(), "loraAlpha", config.loraAlpha(), "scale", config.scale(),
        "targetModules", config.targetModules() == null ? List.of() : config.targetModules()));
    report.put("merge", summary);
    report.put("verification", verification);
    return report;
  }
}
