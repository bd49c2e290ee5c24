package io.llavascale.infra.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import io.llavascale.infra.logging.QuietLogging;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * S3Proxy on 127.0.0.1 with a filesystem backend: the dev stack's object store.
 *
 * <p>Layout under {@code root}: {@code blobs/<bucket>/...} holds the objects, {@code
 * credentials.properties} (mode 600) holds the generated access key and secret, created on first
 * start and reused afterwards so separately started processes can authenticate.
 */
public final class EmbeddedS3 implements AutoCloseable {
  public static final int DEFAULT_PORT = 9000;
  public static final String DEFAULT_REGION = "us-east-1";
  public static final String CREDENTIALS_FILE = "credentials.properties";
  public static final String BLOBS_DIR = "blobs";

  private static final Logger log = LoggerFactory.getLogger(EmbeddedS3.class);

  private final S3Proxy proxy;
  private final BlobStore blobStore;
  private final Path root;
  private final S3Credentials credentials;
  private final String bucket;
  private final URI endpoint;
  private volatile boolean closed;

  private EmbeddedS3(
      S3Proxy proxy, BlobStore blobStore, Path root, S3Credentials credentials, String bucket) {
    this.proxy = proxy;
    this.blobStore = blobStore;
    this.root = root;
    this.credentials = credentials;
    this.bucket = bucket;
    this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** Starts on {@code port} (0 picks a free one) and creates {@code bucket} when absent. */
  public static EmbeddedS3 start(Path root, int port, String bucket) {
    Objects.requireNonNull(bucket, "bucket");
    QuietLogging.apply();
    Path absRoot = root.toAbsolutePath().normalize();
    Path blobs = absRoot.resolve(BLOBS_DIR);
    try {
      Files.createDirectories(blobs);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create S3 data folder " + blobs, e);
    }
    S3Credentials creds = S3Credentials.loadOrCreate(credentialsFile(absRoot));
    BlobStore store = new FilesystemNio2BlobStore(blobs.toString());
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(store)
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(
                AuthenticationType.AWS_V2_OR_V4, creds.accessKeyId(), creds.secretAccessKey())
            .ignoreUnknownHeaders(true)
            .build();
    try {
      proxy.start();
      awaitStarted(proxy);
    } catch (Exception e) {
      stopQuietly(proxy);
      throw new IllegalStateException(
          "cannot start embedded S3 on 127.0.0.1:" + port + " (port in use?): " + e.getMessage(),
          e);
    }
    if (!store.containerExists(bucket)) {
      store.createContainer(bucket);
    }
    EmbeddedS3 s3 = new EmbeddedS3(proxy, store, absRoot, creds, bucket);
    log.info("embedded S3 on {} (bucket {}, data {})", s3.endpoint, bucket, blobs);
    return s3;
  }

  public static Path credentialsFile(Path root) {
    return root.resolve(CREDENTIALS_FILE);
  }

  private static void awaitStarted(S3Proxy proxy) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (!"STARTED".equals(proxy.getState())) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("S3Proxy did not start: state " + proxy.getState());
      }
      Thread.sleep(10);
    }
  }

  private static void stopQuietly(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (Exception ignored) {
      // best effort
    }
  }

  /** http://127.0.0.1:port */
  public URI endpoint() {
    return endpoint;
  }

  public int port() {
    return proxy.getPort();
  }

  public String bucket() {
    return bucket;
  }

  public String region() {
    return DEFAULT_REGION;
  }

  public S3Credentials credentials() {
    return credentials;
  }

  public Path root() {
    return root;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopQuietly(proxy);
    try {
      blobStore.close();
    } catch (RuntimeException ignored) {
      // best effort
    }
  }

  @Override
  public String toString() {
    return "EmbeddedS3[" + endpoint + ", bucket=" + bucket + ", root=" + root + "]";
  }
}
