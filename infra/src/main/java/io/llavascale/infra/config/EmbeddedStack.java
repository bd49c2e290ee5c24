package io.llavascale.infra.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llavascale.infra.s3.EmbeddedS3;
import io.llavascale.infra.s3.S3Credentials;
import io.llavascale.infra.temporal.EmbeddedTemporal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-machine dev stack: embedded Temporal and embedded S3 on loopback, announced to other
 * processes through {@code <home>/stack.json} (addresses, bucket, pid, path of the credentials
 * file; never the secret). S3 data lives in {@code <home>/s3/}.
 */
public final class EmbeddedStack implements AutoCloseable {
  public static final String STACK_FILE = "stack.json";
  public static final String S3_DIR = "s3";

  private static final Logger log = LoggerFactory.getLogger(EmbeddedStack.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path home;
  private final EmbeddedTemporal temporal;
  private final EmbeddedS3 s3;
  private final StackConfig config;
  private volatile boolean closed;

  private EmbeddedStack(Path home, EmbeddedTemporal temporal, EmbeddedS3 s3, StackConfig config) {
    this.home = home;
    this.temporal = temporal;
    this.s3 = s3;
    this.config = config;
  }

  /** Starts on the default ports (Temporal 7233, S3 9000) with the config's home and bucket. */
  public static EmbeddedStack start(StackConfig base) {
    return start(base, EmbeddedTemporal.DEFAULT_PORT, EmbeddedS3.DEFAULT_PORT);
  }

  /** Ports: 0 picks free ones. Fails when another live stack already owns this home. */
  public static EmbeddedStack start(StackConfig base, int temporalPort, int s3Port) {
    Path home = base.home().toAbsolutePath().normalize();
    Optional<JsonNode> existing = readStackFile(home);
    if (existing.isPresent() && isAlive(existing.get())) {
      throw new IllegalStateException(
          "a dev stack is already running for "
              + home
              + " (pid "
              + existing.get().path("pid").asLong()
              + "); use EmbeddedStack.discover or stop it first");
    }
    EmbeddedTemporal temporal = EmbeddedTemporal.start(temporalPort);
    EmbeddedS3 s3;
    try {
      s3 = EmbeddedS3.start(home.resolve(S3_DIR), s3Port, base.s3Bucket());
    } catch (RuntimeException e) {
      temporal.close();
      throw e;
    }
    StackConfig config =
        base.withHome(home)
            .withTemporal(temporal.address(), EmbeddedTemporal.NAMESPACE)
            .withS3(s3.endpoint(), s3.region(), s3.bucket(), s3.credentials());
    EmbeddedStack stack = new EmbeddedStack(home, temporal, s3, config);
    try {
      stack.writeStackFile();
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
    log.info("dev stack up: {}", config);
    return stack;
  }

  /**
   * The running dev stack's config for {@code home}, with S3 credentials read from its 600 file;
   * empty when there is no stack file or its process is gone.
   */
  public static Optional<StackConfig> discover(Path home) {
    Path abs = home.toAbsolutePath().normalize();
    Optional<JsonNode> node = readStackFile(abs);
    if (node.isEmpty() || !isAlive(node.get())) {
      return Optional.empty();
    }
    JsonNode n = node.get();
    S3Credentials creds = S3Credentials.load(Path.of(n.path("s3CredentialsFile").asText()));
    StackConfig base =
        new StackConfig(null, null, null, null, null, null, null, null, abs, null, null)
            .withTemporal(n.path("temporalAddress").asText(), n.path("namespace").asText())
            .withS3(
                URI.create(n.path("s3Endpoint").asText()),
                n.path("s3Region").asText(),
                n.path("bucket").asText(),
                creds);
    return Optional.of(base);
  }

  /**
   * Fills the embedded parts of {@code config} (those with no external address) from the running
   * dev stack under its home. External parts are kept. Throws when a stack is needed but absent.
   */
  public static StackConfig resolve(StackConfig config) {
    if (!config.temporalEmbedded() && !config.s3Embedded()) {
      return config;
    }
    StackConfig running =
        discover(config.home())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no dev stack running under "
                            + config.home().toAbsolutePath()
                            + " and no external "
                            + (config.temporalEmbedded() ? "Temporal" : "S3")
                            + " configured; start the dev stack or set "
                            + StackConfig.ENV_TEMPORAL_ADDRESS
                            + " / "
                            + StackConfig.ENV_S3_ENDPOINT));
    StackConfig out = config;
    if (config.temporalEmbedded()) {
      out = out.withTemporal(running.temporalAddress(), running.temporalNamespace());
    }
    if (config.s3Embedded()) {
      out =
          out.withS3(
              running.s3Endpoint(), running.s3Region(), running.s3Bucket(), running.s3Credentials());
    }
    return out;
  }

  public static Path stackFile(Path home) {
    return home.resolve(STACK_FILE);
  }

  private void writeStackFile() {
    ObjectNode n = JSON.createObjectNode();
    n.put("pid", ProcessHandle.current().pid());
    n.put("startedAt", Instant.now().toString());
    n.put("temporalAddress", temporal.address());
    n.put("namespace", EmbeddedTemporal.NAMESPACE);
    n.put("s3Endpoint", s3.endpoint().toString());
    n.put("s3Region", s3.region());
    n.put("bucket", s3.bucket());
    n.put("s3CredentialsFile", EmbeddedS3.credentialsFile(s3.root()).toString());
    Path file = stackFile(home);
    try {
      Files.createDirectories(home);
      Path tmp = Files.createTempFile(home, STACK_FILE, ".tmp");
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), n);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static Optional<JsonNode> readStackFile(Path home) {
    Path file = stackFile(home);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(file.toFile()));
    } catch (IOException e) {
      log.warn("ignoring unreadable {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  /** The announcing process lives and its Temporal port answers (guards against pid reuse). */
  private static boolean isAlive(JsonNode n) {
    long pid = n.path("pid").asLong(-1);
    boolean processAlive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    if (!processAlive) {
      return false;
    }
    String address = n.path("temporalAddress").asText("");
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      return false;
    }
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(
              address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
          500);
      return true;
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }

  public static final String ENV_DEV_TEMPORAL_PORT = "LLAVA_DEV_TEMPORAL_PORT";
  public static final String ENV_DEV_S3_PORT = "LLAVA_DEV_S3_PORT";

  /**
   * Runs the dev stack in the foreground until SIGTERM/Ctrl-C. Config from the environment; ports
   * from LLAVA_DEV_TEMPORAL_PORT / LLAVA_DEV_S3_PORT (defaults 7233 / 9000).
   */
  public static void main(String[] args) throws InterruptedException {
    StackConfig base = StackConfig.fromEnv();
    int temporalPort = intEnv(ENV_DEV_TEMPORAL_PORT, EmbeddedTemporal.DEFAULT_PORT);
    int s3Port = intEnv(ENV_DEV_S3_PORT, EmbeddedS3.DEFAULT_PORT);
    EmbeddedStack stack = start(base, temporalPort, s3Port);
    Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "llava-dev-stack-stop"));
    System.out.println("dev stack running: " + stack.config());
    System.out.println("stack file: " + stackFile(stack.home));
    Thread.currentThread().join();
  }

  private static int intEnv(String name, int dflt) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a port number, got '" + v + "'");
    }
  }

  /** Config pointing at this stack (addresses and S3 credentials filled in). */
  public StackConfig config() {
    return config;
  }

  public EmbeddedTemporal temporal() {
    return temporal;
  }

  public EmbeddedS3 s3() {
    return s3;
  }

  /** Idempotent; safe from a shutdown hook. Removes stack.json first so nobody finds a dying stack. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Files.deleteIfExists(stackFile(home));
    } catch (IOException ignored) {
      // discover() also checks liveness, so a leftover file is harmless
    }
    try {
      temporal.close();
    } finally {
      s3.close();
    }
  }

  @Override
  public String toString() {
    return "EmbeddedStack[" + config + "]";
  }
}
