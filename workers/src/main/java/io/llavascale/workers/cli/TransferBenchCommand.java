package io.llavascale.workers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.llavascale.activities.store.TransferSettings;
import io.llavascale.workers.bench.TransferBench;
import io.llavascale.workers.bench.TransferBenchResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code llava bench transfer}: our S3 transfer against aws s3 cp and rclone; docs/benchmarks.md. */
@Command(name = "transfer",
    description = {
      "Benchmark: one file up to and down from an embedded S3 endpoint with llava's parallel transfer,",
      "`aws s3 cp` and `rclone copyto` (same part size and parts in flight); seconds and ratios.",
      "Tools that are not installed are skipped with the reason."})
final class TransferBenchCommand implements Runnable {
  @Mixin StackOptions stack;

  @Option(names = "--size", defaultValue = "1g", paramLabel = "SIZE",
      description = "Test file size (k, m, g suffixes). Default: ${DEFAULT-VALUE}")
  String size;

  @Option(names = "--part-size", paramLabel = "SIZE",
      description = "Part size for every tool. Default: $" + TransferSettings.ENV_PART_SIZE + " or 16m")
  String partSize;

  @Option(names = "--concurrency", paramLabel = "N",
      description = "Parts in flight for every tool. Default: $" + TransferSettings.ENV_CONCURRENCY + " or 8")
  Integer concurrency;

  @Option(names = "--rounds", defaultValue = "1", paramLabel = "N",
      description = "Up/down pairs per tool; the fastest is reported. Default: ${DEFAULT-VALUE}")
  int rounds;

  @Option(names = "--aws-cli", defaultValue = "aws", paramLabel = "PATH",
      description = "aws executable (Debian's awscli is /usr/bin/aws). Default: ${DEFAULT-VALUE}")
  String awsCli;

  @Option(names = "--rclone", defaultValue = "rclone", paramLabel = "PATH", description = "rclone executable. Default: ${DEFAULT-VALUE}")
  String rclone;

  @Option(names = "--json", description = "Print the result as JSON (progress goes to stderr).")
  boolean json;

  @Override
  public void run() {
    if (rounds < 1) {
      throw new CliException("--rounds must be at least 1");
    }
    long bytes = TransferSettings.parseSize("--size", size);
    if (bytes < 1) {
      throw new CliException("--size must be positive");
    }
    TransferSettings transfer = TransferSettings.fromEnv(System.getenv());
    if (partSize != null) {
      transfer = transfer.withPartSize(TransferSettings.parseSize("--part-size", partSize));
    }
    if (concurrency != null) {
      transfer = transfer.withConcurrency(concurrency);
    }
    Path work = stack.base().home().resolve("bench-transfer");
    TransferBenchResult result = TransferBench.run(work,
        new TransferBench.Settings(bytes, rounds, transfer, awsCli, rclone, line -> System.err.println("bench: " + line)));
    if (json) {
      try {
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      result.print(System.out);
    }
  }
}
