package io.llavascale.activities.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} over an AWS SDK v2 {@link S3Client}. Files above the part size go up as
 * multipart uploads (each part streamed from the file, re-readable on retry); large downloads are
 * ranged GETs pinned to the object's ETag, never part-number GETs (S3Proxy does not serve those).
 * Nothing is created implicitly: the bucket must exist.
 */
public final class S3ObjectStore implements ObjectStore {
  public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
  public static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;
  public static final long DEFAULT_RANGE_SIZE = 32L * 1024 * 1024;
  private static final int DELETE_BATCH = 1000;

  private final S3Client s3;
  private final String bucket;
  private final long partSize;
  private final long rangeSize;

  public S3ObjectStore(S3Client s3, String bucket) {
    this(s3, bucket, DEFAULT_PART_SIZE, DEFAULT_RANGE_SIZE);
  }

  /**
   * @param partSize multipart threshold and part size (at least 5 MiB, the S3 minimum)
   * @param rangeSize bytes per ranged GET when downloading to a file
   */
  public S3ObjectStore(S3Client s3, String bucket, long partSize, long rangeSize) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    if (partSize < MIN_PART_SIZE) {
      throw new IllegalArgumentException("partSize must be >= 5 MiB, got " + partSize);
    }
    if (rangeSize < 1) {
      throw new IllegalArgumentException("rangeSize must be positive, got " + rangeSize);
    }
    this.partSize = partSize;
    this.rangeSize = rangeSize;
  }

  @Override
  public String bucket() {
    return bucket;
  }

  @Override
  public void putBytes(String key, byte[] bytes) {
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
  }

  @Override
  public void putFile(String key, Path file) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    if (size <= partSize) {
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
      return;
    }
    String uploadId =
        s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int partNumber = 1;
      for (long offset = 0; offset < size; offset += partSize, partNumber++) {
        long length = Math.min(partSize, size - offset);
        int pn = partNumber;
        String etag =
            s3.uploadPart(
                    b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(pn)
                        .contentLength(length),
                    RequestBody.fromContentProvider(
                        fileSlice(file, offset, length), length, "application/octet-stream"))
                .eTag();
        parts.add(CompletedPart.builder().partNumber(pn).eTag(etag).build());
      }
      s3.completeMultipartUpload(
          b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
    } catch (RuntimeException e) {
      try {
        s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
      } catch (RuntimeException abortFailed) {
        e.addSuppressed(abortFailed);
      }
      throw e;
    }
  }

  /** A fresh stream over [offset, offset+length) of the file on every call, so retries re-read. */
  private static ContentStreamProvider fileSlice(Path file, long offset, long length) {
    return () -> {
      try {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ch.position(offset);
        return new BoundedInputStream(Channels.newInputStream(ch), length);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    };
  }

  @Override
  public byte[] getBytes(String key) {
    return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
  }

  @Override
  public void getFile(String key, Path target) {
    HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
    long size = head.contentLength();
    String etag = head.eTag();
    Path abs = target.toAbsolutePath();
    Path tmp;
    try {
      Files.createDirectories(abs.getParent());
      tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".part");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create download file next to " + target, e);
    }
    try {
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING)) {
        if (size <= rangeSize) {
          try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(key).ifMatch(etag))) {
            in.transferTo(out);
          }
        } else {
          for (long start = 0; start < size; start += rangeSize) {
            long end = Math.min(size, start + rangeSize) - 1;
            String range = "bytes=" + start + "-" + end;
            try (InputStream in =
                s3.getObject(b -> b.bucket(bucket).key(key).range(range).ifMatch(etag))) {
              in.transferTo(out);
            }
          }
        }
      }
      long got = Files.size(tmp);
      if (got != size) {
        throw new UncheckedIOException(
            new IOException(
                "short download of s3://" + bucket + "/" + key + ": " + got + " of " + size
                    + " bytes"));
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot download s3://" + bucket + "/" + key + " to " + target, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  @Override
  public InputStream open(String key) {
    ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key));
    return in;
  }

  @Override
  public Optional<Long> size(String key) {
    try {
      return Optional.of(s3.headObject(b -> b.bucket(bucket).key(key)).contentLength());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public List<String> list(String prefix) {
    List<String> keys = new ArrayList<>();
    for (S3Object o :
        s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
      keys.add(o.key());
    }
    keys.sort(null);
    return keys;
  }

  @Override
  public void delete(String key) {
    s3.deleteObject(b -> b.bucket(bucket).key(key));
  }

  @Override
  public void deletePrefix(String prefix) {
    List<String> keys = list(prefix);
    for (int i = 0; i < keys.size(); i += DELETE_BATCH) {
      List<ObjectIdentifier> batch =
          keys.subList(i, Math.min(keys.size(), i + DELETE_BATCH)).stream()
              .map(k -> ObjectIdentifier.builder().key(k).build())
              .toList();
      var resp = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(batch).quiet(true)));
      if (resp.hasErrors() && !resp.errors().isEmpty()) {
        var err = resp.errors().get(0);
        throw S3Exception.builder()
            .message(
                "cannot delete s3://" + bucket + "/" + err.key() + ": " + err.code() + " "
                    + err.message() + " (" + resp.errors().size() + " failed)")
            .build();
      }
    }
  }

  @Override
  public String toString() {
    return "S3ObjectStore[" + bucket + "]";
  }

  /** Reads at most {@code limit} bytes from the wrapped stream. */
  private static final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private long remaining;

    BoundedInputStream(InputStream in, long limit) {
      this.in = in;
      this.remaining = limit;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(buf, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
