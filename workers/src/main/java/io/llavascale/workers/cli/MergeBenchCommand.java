package io.llavascale.workers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.llavascale.model.checkpoint.Safetensors;
import io.llavascale.workers.bench.MergeBench;
import io.llavascale.workers.bench.MergeBenchResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llava bench merge}: the streaming LoRA merge against {@code cp} of the same bytes. */
@Command(name = "merge",
    description = {
      "Benchmark the streaming LoRA merge: writes a synthetic LLaVA-shaped safetensors model and adapter to a",
      "temporary folder, times cp -r of the base and the merge of it, prints both throughputs, their ratio and",
      "the merge's peak memory, then checks the merged weights with the layer probe. Needs no stack."})
final class MergeBenchCommand implements Runnable {
  @Option(names = "--size-gb", defaultValue = "2", paramLabel = "GB",
      description = "Base model size to aim for, in GB. Default: ${DEFAULT-VALUE}")
  double sizeGb;

  @Option(names = "--hidden", defaultValue = "2048", paramLabel = "H",
      description = "Model width; the largest tensor is 2 x H x H weights. Default: ${DEFAULT-VALUE}")
  int hidden;

  @Option(names = "--rank", defaultValue = "16", paramLabel = "R",
      description = "Adapter rank (every attention and MLP weight is adapted). Default: ${DEFAULT-VALUE}")
  int rank;

  @Option(names = "--dtype", defaultValue = "F16", paramLabel = "DTYPE",
      description = "Base dtype: F16, BF16 or F32. Default: ${DEFAULT-VALUE}")
  String dtype;

  @Option(names = "--shard-gb", defaultValue = "1", paramLabel = "GB",
      description = "Shard size of base and merged weights, in GB. Default: ${DEFAULT-VALUE}")
  double shardGb;

  @Option(names = "--probe-rows", defaultValue = "8", paramLabel = "N",
      description = "Probe inputs per adapted layer in the verification pass. Default: ${DEFAULT-VALUE}")
  int probeRows;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Where the temporary folder goes (needs about 2x --size-gb free). Default: the JVM's temp folder.")
  Path dir;

  @Option(names = "--keep", description = "Keep the temporary folder (base, adapter, merged weights).")
  boolean keep;

  @Option(names = "--json", description = "Print the result as JSON (progress goes to stderr).")
  boolean json;

  @Override
  public void run() {
    Safetensors.DType type;
    try {
      type = Safetensors.DType.valueOf(dtype.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      type = null;
    }
    if (type == null || !type.isFloat()) {
      throw new CliException("--dtype must be F16, BF16 or F32, got " + dtype);
    }
    if (!(sizeGb > 0) || !(shardGb > 0) || hidden < 1 || rank < 1 || probeRows < 1) {
      throw new CliException("--size-gb and --shard-gb must be > 0; --hidden, --rank and --probe-rows >= 1");
    }
    Path parent = dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"));
    try {
      MergeBenchResult result = MergeBench.run(new MergeBench.Settings((long) (sizeGb * 1e9), hidden, rank, type,
          (long) (shardGb * 1e9), probeRows, parent, keep, line -> System.err.println("bench merge: " + line)));
      if (json) {
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
      } else {
        result.print(System.out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }
}
