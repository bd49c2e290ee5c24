package io.llavascale.model.merge;

import io.llavascale.model.checkpoint.Safetensors;
import io.llavascale.model.checkpoint.ShardedSafetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Merges a LoRA adapter into base weights one tensor at a time: W' = T(W) + scale * B @ A for
 * adapted weights (T is the {@link BaseTransform}), the adapter's tensor for replaced ones, the
 * stored bytes for the rest. Each tensor is read with a positional read, merged and written to the
 * output shard before the next is read, so memory holds about one tensor (plus its adapter), never
 * the model: about 130 GB of 65B weights merge in a few GB of heap, where the reference script
 * ({@code merge_lora_weights.py}) loads them all.
 *
 * <p>Weights keep the base's dtype (F16 in, F16 out), so the merged model is the base's size; the
 * output is named as {@code save_pretrained} names it, and the base folder's other files (config,
 * tokenizer) are copied alongside.
 */
public final class StreamingMerge {
  private StreamingMerge() {}

  /** Told after each tensor is written. */
  public interface Progress {
    void tensorWritten(int done, int total, String name, long bytesDone, long bytesTotal);
  }

  /**
   * @param maxShardBytes output shard size ({@link ShardedSafetensors#DEFAULT_MAX_SHARD_BYTES})
   * @param transform     what the adapters were trained against (identity for LoRA)
   */
  public record Options(long maxShardBytes, BaseTransform transform) {
    public static Options defaults() {
      return new Options(ShardedSafetensors.DEFAULT_MAX_SHARD_BYTES, BaseTransform.IDENTITY);
    }
  }

  /**
   * @param tensors            tensors written
   * @param merged             adapted weights (W + scale * B @ A)
   * @param replaced           tensors taken from the adapter (projector, modules_to_save)
   * @param transformed        other tensors changed by the base transform
   * @param bytes              tensor bytes written
   * @param files              weight files written, index last
   * @param largestTensorBytes the largest tensor, as stored
   * @param peakBufferBytes    most bytes the merge's buffers held at once (read, F32 values, adapter
   *                           pair, encoded output): a small multiple of the largest tensor
   * @param seconds            wall time
   */
  public record Summary(int tensors, int merged, int replaced, int transformed, long bytes, List<String> files,
      long largestTensorBytes, long peakBufferBytes, double seconds) {}

  public static Summary run(Path baseFolder, LoraAdapter adapter, Path outFolder, Options options, Progress progress)
      throws IOException {
    long started = System.nanoTime();
    try (ShardedSafetensors.Reader base = ShardedSafetensors.open(baseFolder)) {
      adapter.checkFits(base);
      Merge merge = new Merge(base, adapter, options.transform());
      List<Safetensors.Entry> entries = new ArrayList<>();
      long total = 0;
      for (String name : base.names()) {
        Safetensors.Entry entry = merge.entry(name);
        entries.add(entry);
        total += entry.byteLength();
      }
      Files.createDirectories(outFolder);
      long bytesTotal = total;
      int[] done = {0};
      long[] bytesDone = {0};
      List<String> files = ShardedSafetensors.write(outFolder, base.metadata(), entries, options.maxShardBytes(),
          entry -> {
            bytesDone[0] += entry.byteLength();
            progress.tensorWritten(++done[0], entries.size(), entry.name(), bytesDone[0], bytesTotal);
          });
      copyOtherFiles(baseFolder, outFolder);
      return new Summary(entries.size(), merge.merged, merge.replaced, merge.transformed, total, files,
          merge.largest, merge.peak, (System.nanoTime() - started) / 1e9);
    } catch (UncheckedIOException e) {
      throw e.getCause(); // from a tensor's data supplier
    }
  }

  /** Config, tokenizer and the like travel with the weights; LLaVA's loader needs them side by side. */
  private static void copyOtherFiles(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (Files.isRegularFile(file) && !ShardedSafetensors.isWeightFile(name)) {
          Files.copy(file, to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** Rows of W one parallel task updates. */
  private static final int ROWS_PER_TASK = 64;

  /**
   * W += scale * B @ A (B: [out, r], A: [r, in], W: [out, in]), as PEFT's merge computes it: each
   * row's update summed over the rank, then scaled and added. Rows are independent, so blocks of
   * them run on all cores; the result does not depend on the split.
   */
  static void addDelta(float[] w, float[] a, float[] b, int rank, int out, int in, float scale) {
    IntStream.range(0, (out + ROWS_PER_TASK - 1) / ROWS_PER_TASK).parallel().forEach(block -> {
      float[] row = new float[in];
      for (int j = block * ROWS_PER_TASK; j < Math.min(out, (block + 1) * ROWS_PER_TASK); j++) {
        Arrays.fill(row, 0f);
        for (int m = 0; m < rank; m++) {
          float bjm = b[j * rank + m];
          if (bjm != 0f) {
            int offset = m * in;
            for (int k = 0; k < in; k++) {
              row[k] += bjm * a[offset + k];
            }
          }
        }
        int base = j * in;
        for (int k = 0; k < in; k++) {
          w[base + k] += scale * row[k];
        }
      }
    });
  }

  /** The write plan: one lazily computed entry per base tensor, and what its buffers held. */
  private static final class Merge {
    private final ShardedSafetensors.Reader base;
    private final LoraAdapter adapter;
    private final BaseTransform transform;
    int merged;
    int replaced;
    int transformed;
    long largest;
    long peak;

    Merge(ShardedSafetensors.Reader base, LoraAdapter adapter, BaseTransform transform) {
      this.base = base;
      this.adapter = adapter;
      this.transform = transform;
    }

    Safetensors.Entry entry(String name) {
      Safetensors.TensorInfo info = base.info(name);
      largest = Math.max(largest, info.byteLength());
      long[] shape = info.shape();
      if (adapter.replaces(name)) {
        replaced++;
        return floats(info, () -> adapter.replacement(name), 0);
      }
      var pair = adapter.pair(name);
      if (pair.isPresent()) {
        merged++;
        LoraAdapter.Pair p = pair.get();
        // A, B and a row of B @ A per core, as F32.
        long adapterBytes = 4 * (p.rank() * (p.in() + p.out()) + p.in() * Runtime.getRuntime().availableProcessors());
        return floats(info, () -> {
          float[] w = baseValues(info);
          addDelta(w, adapter.readA(p), adapter.readB(p), p.rank(), (int) p.out(), (int) p.in(),
              (float) adapter.scale());
          return w;
        }, adapterBytes);
      }
      if (transform.transforms(name, shape)) {
        transformed++;
        return floats(info, () -> baseValues(info), 0);
      }
      return new Safetensors.Entry(name, info.dtype(), shape, () -> {
        hold(info.byteLength());
        return unchecked(() -> base.readRaw(name));
      });
    }

    /** The values the adapters were trained against: stored weights through the base transform. */
    private float[] baseValues(Safetensors.TensorInfo info) throws IOException {
      float[] values = base.readFloats(info.name());
      return transform.transforms(info.name(), info.shape())
          ? transform.apply(info.name(), info.shape(), values)
          : values;
    }

    /**
     * An entry written in the base's dtype from F32 values. Its buffers: the stored bytes and the
     * F32 values while reading, then the values, adapter and encoded bytes.
     */
    private Safetensors.Entry floats(Safetensors.TensorInfo info, IoSupplier<float[]> values, long adapterBytes) {
      long f32 = 4 * info.elements();
      return new Safetensors.Entry(info.name(), info.dtype(), info.shape(), () -> {
        hold(info.byteLength() + f32);
        float[] v = unchecked(values);
        hold(f32 + adapterBytes);
        hold(f32 + info.byteLength());
        return Safetensors.encode(v, info.dtype());
      });
    }

    private void hold(long bytes) {
      peak = Math.max(peak, bytes);
    }
  }

  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static <T> T unchecked(IoSupplier<T> supplier) {
    try {
      return supplier.get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
