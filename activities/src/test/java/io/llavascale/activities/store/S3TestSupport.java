package io.llavascale.activities.store;

import io.llavascale.infra.config.S3Clients;
import io.llavascale.infra.s3.EmbeddedS3;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import software.amazon.awssdk.services.s3.S3Client;

/** One real S3Proxy per test class, on a free loopback port. */
public final class S3TestSupport implements AutoCloseable {
  public static final String BUCKET = "llava-test";
  /** 5 MiB parts (the S3 minimum), 3 in flight, no wait between attempts: many parts from small files. */
  public static final TransferSettings SMALL_PARTS =
      new TransferSettings(TransferSettings.MIN_PART_SIZE, 3, 3, java.time.Duration.ZERO);
  final EmbeddedS3 s3;
  final S3Client client;
  public final S3ObjectStore store;

  public S3TestSupport(Path dir) {
    quietClientLogging();
    s3 = EmbeddedS3.start(dir, 0, BUCKET);
    client = S3Clients.create(s3);
    store = new S3ObjectStore(client, BUCKET, SMALL_PARTS);
  }

  /** Without a logback-test.xml the default is DEBUG, and wire logs slow these tests down. */
  private static void quietClientLogging() {
    if (org.slf4j.LoggerFactory.getILoggerFactory()
        instanceof ch.qos.logback.classic.LoggerContext ctx) {
      for (String name : new String[] {"org.apache.http", "software.amazon.awssdk", "org.gaul",
          "io.netty"}) {
        ch.qos.logback.classic.Logger logger = ctx.getLogger(name);
        if (logger.getLevel() == null) {
          logger.setLevel(ch.qos.logback.classic.Level.WARN);
        }
      }
    }
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static Path write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    client.close();
    s3.close();
  }
}
