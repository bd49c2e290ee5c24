package io.llavascale.infra.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * Static S3 credentials for the embedded store. The secret never appears in {@link #toString()}.
 * Stored as a properties file readable only by its owner (POSIX 600).
 */
public record S3Credentials(String accessKeyId, String secretAccessKey) {
  static final String ACCESS_KEY = "accessKeyId";
  static final String SECRET_KEY = "secretAccessKey";
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  public S3Credentials {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
  }

  public static S3Credentials generate() {
    SecureRandom random = new SecureRandom();
    byte[] id = new byte[10];
    byte[] secret = new byte[30];
    random.nextBytes(id);
    random.nextBytes(secret);
    return new S3Credentials(
        "LLAVA" + HexFormat.of().withUpperCase().formatHex(id), HexFormat.of().formatHex(secret));
  }

  /** Reads the file, or creates it (mode 600) with fresh credentials when it does not exist. */
  public static S3Credentials loadOrCreate(Path file) {
    if (Files.exists(file)) {
      return load(file);
    }
    S3Credentials fresh = generate();
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      // Create with 600 from the start so the secret is never world-readable, not even briefly.
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (FileAlreadyExistsException raced) {
        return load(file);
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(file);
      }
      Properties p = new Properties();
      p.setProperty(ACCESS_KEY, fresh.accessKeyId);
      p.setProperty(SECRET_KEY, fresh.secretAccessKey);
      try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
        p.store(out, "llava-scale embedded S3 credentials; keep private");
      }
      return fresh;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write S3 credentials file " + file, e);
    }
  }

  public static S3Credentials load(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read S3 credentials file " + file, e);
    }
    String id = p.getProperty(ACCESS_KEY);
    String secret = p.getProperty(SECRET_KEY);
    if (id == null || secret == null || id.isBlank() || secret.isBlank()) {
      throw new IllegalStateException(
          "S3 credentials file " + file + " lacks " + ACCESS_KEY + " or " + SECRET_KEY);
    }
    return new S3Credentials(id.trim(), secret.trim());
  }

  @Override
  public String toString() {
    return "S3Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=***]";
  }
}
