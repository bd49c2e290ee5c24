package io.llavascale.workers.bench;

import io.llavascale.activities.store.Manifest;
import io.llavascale.activities.store.S3ObjectStore;
import io.llavascale.activities.store.TransferSettings;
import io.llavascale.infra.config.S3Clients;
import io.llavascale.infra.s3.EmbeddedS3;
import io.llavascale.workers.bench.TransferBenchResult.ToolResult;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code llava bench transfer}: the same file up to and down from the same embedded S3 endpoint
 * with our {@link S3ObjectStore}, {@code aws s3 cp} and {@code rclone copyto}, all set to the same
 * part size and parts in flight. Every download is checked against the source's sha256 (outside
 * the timing for the external tools; ours computes it while it writes). A tool that is not
 * installed is skipped with the reason.
 */
public final class TransferBench {
  static final String BUCKET = "llava-bench";

  /**
   * @param bytes    size of the test file
   * @param rounds   timed up/down pairs per tool; the fastest of each is reported
   * @param transfer part size and parts in flight, given to every tool
   * @param awsCli   the aws executable (Debian's is /usr/bin/aws)
   * @param rclone   the rclone executable
   */
  public record Settings(long bytes, int rounds, TransferSettings transfer, String awsCli, String rclone,
      Consumer<String> log) {}

  private TransferBench() {}

  public static TransferBenchResult run(Path workDir, Settings s) {
    try {
      Files.createDirectories(workDir);
      try (EmbeddedS3 s3 = EmbeddedS3.start(workDir.resolve("s3"), 0, BUCKET);
          S3Client client = S3Clients.create(s3)) {
        Path source = workDir.resolve("source.bin");
        s.log().accept("writing " + s.bytes() + " random bytes to " + source);
        writeRandom(source, s.bytes());
        String sha = Manifest.sha256(source);
        S3ObjectStore ours = new S3ObjectStore(client, BUCKET, s.transfer());
        List<Tool> tools = List.of(
            new Ours(ours),
            Cli.aws(s.awsCli(), s3, workDir, s.transfer()),
            Cli.rclone(s.rclone(), s3, workDir, s.transfer()));
        List<ToolResult> results = new ArrayList<>();
        for (Tool tool : tools) {
          Optional<String> missing = tool.unavailable();
          if (missing.isPresent()) {
            s.log().accept("skipping " + tool.name() + ": " + missing.get());
            results.add(ToolResult.skipped(tool.name(), missing.get()));
            continue;
          }
          results.add(measure(tool, source, sha, workDir, s, ours));
        }
        return new TransferBenchResult(Instant.now().toString(), Runtime.getRuntime().availableProcessors(),
            s.bytes(), s.transfer().partSize(), s.transfer().concurrency(), s.rounds(), s3.endpoint().toString(),
            results);
      } finally {
        Files.deleteIfExists(workDir.resolve("source.bin"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ToolResult measure(Tool tool, Path source, String sha, Path workDir, Settings s, S3ObjectStore store)
      throws IOException {
    double up = Double.MAX_VALUE;
    double down = Double.MAX_VALUE;
    for (int r = 1; r <= s.rounds(); r++) {
      String key = "bench/" + tool.name() + "/r" + r;
      Path back = workDir.resolve("download-" + tool.name() + ".bin");
      long t0 = System.nanoTime();
      tool.upload(source, key);
      long t1 = System.nanoTime();
      tool.download(key, back);
      long t2 = System.nanoTime();
      String got = Manifest.sha256(back);
      Files.delete(back);
      store.delete(key);
      if (!got.equals(sha)) {
        throw new IllegalStateException(tool.name() + " round " + r + ": downloaded sha256 " + got + " != source " + sha);
      }
      up = Math.min(up, (t1 - t0) / 1e9);
      down = Math.min(down, (t2 - t1) / 1e9);
      s.log().accept(String.format("%s round %d: up %.2f s, down %.2f s (sha256 verified)", tool.name(), r,
          (t1 - t0) / 1e9, (t2 - t1) / 1e9));
    }
    return ToolResult.measured(tool.name(), tool.version(), up, down);
  }

  private static void writeRandom(Path file, long bytes) throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = bytes; left > 0; left -= chunk.length) {
        for (int i = 0; i < chunk.length; i += 8) {
          long v = random.nextLong();
          for (int j = 0; j < 8; j++) {
            chunk[i + j] = (byte) (v >>> (8 * j));
          }
        }
        out.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
    }
  }

  private interface Tool {
    String name();

    /** Why it cannot run here, or empty when it can. */
    Optional<String> unavailable();

    String version();

    void upload(Path file, String key) throws IOException;

    void download(String key, Path file) throws IOException;
  }

  private record Ours(S3ObjectStore store) implements Tool {
    public String name() {
      return "llava";
    }

    public Optional<String> unavailable() {
      return Optional.empty();
    }

    public String version() {
      return "S3ObjectStore";
    }

    public void upload(Path file, String key) {
      store.putFile(key, file);
    }

    public void download(String key, Path file) {
      store.getFile(key, file);
    }
  }

  /** An external copy command, configured only through its environment and a private config file. */
  private record Cli(String name, String executable, List<String> versionArgs, Map<String, String> env,
      List<String> upArgs, List<String> downArgs, String remotePrefix, Path log) implements Tool {

    static Cli aws(String executable, EmbeddedS3 s3, Path workDir, TransferSettings t) throws IOException {
      Path config = workDir.resolve("aws-config");
      long partMiB = t.partSize() >> 20;
      Files.writeString(config, String.join("\n",
          "[default]",
          "s3 =",
          "  max_concurrent_requests = " + t.concurrency(),
          "  multipart_threshold = " + partMiB + "MB",
          "  multipart_chunksize = " + partMiB + "MB",
          "  addressing_style = path", ""), StandardCharsets.UTF_8);
      Map<String, String> env = Map.of(
          "AWS_CONFIG_FILE", config.toString(),
          "AWS_SHARED_CREDENTIALS_FILE", workDir.resolve("aws-no-credentials").toString(),
          "AWS_ACCESS_KEY_ID", s3.credentials().accessKeyId(),
          "AWS_SECRET_ACCESS_KEY", s3.credentials().secretAccessKey(),
          "AWS_DEFAULT_REGION", s3.region());
      List<String> common = List.of("--endpoint-url", s3.endpoint().toString(), "--only-show-errors");
      return new Cli("aws", executable, List.of("--version"), env, common, common, "s3://" + BUCKET + "/",
          workDir.resolve("aws.log"));
    }

    static Cli rclone(String executable, EmbeddedS3 s3, Path workDir, TransferSettings t) throws IOException {
      Path config = workDir.resolve("rclone.conf");
      Files.writeString(config, "");
      String prefix = "RCLONE_CONFIG_BENCH_";
      Map<String, String> env = Map.of(
          "RCLONE_CONFIG", config.toString(),
          prefix + "TYPE", "s3",
          prefix + "PROVIDER", "Other",
          prefix + "ENDPOINT", s3.endpoint().toString(),
          prefix + "REGION", s3.region(),
          prefix + "ACCESS_KEY_ID", s3.credentials().accessKeyId(),
          prefix + "SECRET_ACCESS_KEY", s3.credentials().secretAccessKey(),
          prefix + "FORCE_PATH_STYLE", "true");
      String part = (t.partSize() >> 20) + "M";
      String conc = String.valueOf(t.concurrency());
      return new Cli("rclone", executable, List.of("version"), env,
          List.of("--s3-chunk-size", part, "--s3-upload-cutoff", part, "--s3-upload-concurrency", conc),
          List.of("--multi-thread-cutoff", part, "--multi-thread-streams", conc),
          "bench:" + BUCKET + "/", workDir.resolve("rclone.log"));
    }

    public Optional<String> unavailable() {
      try {
        int rc = exec(versionArgs);
        return rc == 0 ? Optional.empty() : Optional.of("'" + executable + " " + String.join(" ", versionArgs) + "' exited " + rc);
      } catch (IOException e) {
        return Optional.of("not installed (" + e.getMessage() + "); on Debian: apt-get install awscli rclone");
      }
    }

    public String version() {
      try {
        exec(versionArgs);
        return Files.readAllLines(log).stream().findFirst().orElse("?").trim();
      } catch (IOException e) {
        return "?";
      }
    }

    public void upload(Path file, String key) throws IOException {
      copy(upArgs, file.toString(), remotePrefix + key);
    }

    public void download(String key, Path file) throws IOException {
      copy(downArgs, remotePrefix + key, file.toString());
    }

    private void copy(List<String> tuning, String from, String to) throws IOException {
      List<String> args = new ArrayList<>(name.equals("aws") ? List.of("s3", "cp") : List.of("copyto"));
      args.add(from);
      args.add(to);
      args.addAll(tuning);
      int rc = exec(args);
      if (rc != 0) {
        throw new IOException(name + " exited " + rc + ": " + String.join(" ", Files.readAllLines(log)));
      }
    }

    private int exec(List<String> args) throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(executable);
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      // only what we set: an inherited AWS_CA_BUNDLE or profile would change what is measured
      pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("RCLONE_"));
      pb.environment().putAll(env);
      Process p = pb.start();
      try {
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          throw new IOException(name + " did not finish in 30 minutes");
        }
        return p.exitValue();
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException(name + " interrupted", e);
      }
    }
  }
}
