package io.llavascale.activities.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Moves large files between disk and S3 in parallel parts on the sync client and a thread pool
 * (the CRT client cannot upload to S3Proxy). Up: a multipart upload, each part sent with its
 * Content-MD5 so the server rejects a damaged part. Down: ranged GETs pinned to the ETag (never
 * part-number GETs: S3Proxy does not serve them). Each part is retried on its own with exponential
 * backoff. The caller's thread reads or writes the file in order and computes the whole file's
 * sha256 on the way, which it returns for comparison with the manifest. At most
 * {@code concurrency} part buffers exist per store, whatever the number of callers.
 */
final class S3Transfer {
  private static final Logger log = LoggerFactory.getLogger(S3Transfer.class);
  /** S3 error codes that say the bytes did not arrive intact or in time: send them again. */
  private static final Set<String> RETRYABLE_CODES =
      Set.of("BadDigest", "InvalidDigest", "IncompleteBody", "RequestTimeout", "SlowDown", "InternalError");

  private final S3Client s3;
  private final String bucket;
  private final TransferSettings settings;
  private final PartBuffers buffers;
  private final ExecutorService pool;

  S3Transfer(S3Client s3, String bucket, TransferSettings settings) {
    this.s3 = s3;
    this.bucket = bucket;
    this.settings = settings;
    this.buffers = new PartBuffers(settings.concurrency(), (int) settings.partSize());
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor tpe = new ThreadPoolExecutor(settings.concurrency(), settings.concurrency(), 30,
        TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "llava-transfer-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    // idle stores hold no threads
    tpe.allowCoreThreadTimeOut(true);
    this.pool = tpe;
  }

  TransferSettings settings() {
    return settings;
  }

  int peakBuffersInUse() {
    return buffers.peakInUse();
  }

  /** Uploads {@code file} to {@code key}; returns the sha256 (hex) of the bytes sent. */
  String upload(String key, Path file) {
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = in.size();
      int parts = partCount(size);
      if (parts > TransferSettings.MAX_PARTS) {
        throw new IllegalArgumentException(file + " (" + size + " bytes) needs " + parts + " parts of "
            + settings.partSize() + " bytes, above the S3 limit of " + TransferSettings.MAX_PARTS
            + "; raise " + TransferSettings.ENV_PART_SIZE);
      }
      MessageDigest sha = digest("SHA-256");
      String hex = parts == 1 ? putSingle(key, in, (int) size, sha) : putMultipart(key, in, size, parts, sha);
      if (in.size() != size) {
        throw new IOException(file + " changed size while uploading");
      }
      return hex;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot upload " + file + " to " + uri(key), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new InterruptedIOException("upload of " + uri(key) + " interrupted"));
    }
  }

  private String putSingle(String key, FileChannel in, int size, MessageDigest sha)
      throws IOException, InterruptedException {
    byte[] buf = buffers.take();
    try {
      readFully(in, 0, buf, size);
      sha.update(buf, 0, size);
      PutObjectRequest req = PutObjectRequest.builder().bucket(bucket).key(key).contentLength((long) size)
          .contentMD5(md5(buf, size)).build();
      retrying(key + " (whole)", () -> s3.putObject(req, body(buf, size)), () -> false);
      return HexFormat.of().formatHex(sha.digest());
    } finally {
      buffers.give(buf);
    }
  }

  private String putMultipart(String key, FileChannel in, long size, int parts, MessageDigest sha)
      throws IOException, InterruptedException {
    String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
    Window<CompletedPart> window = new Window<>();
    List<CompletedPart> done = new ArrayList<>(parts);
    try {
      for (int p = 1; p <= parts; p++) {
        long offset = (p - 1) * settings.partSize();
        int len = (int) Math.min(settings.partSize(), size - offset);
        byte[] buf = window.acquire((part, b) -> done.add(part));
        readFully(in, offset, buf, len);
        sha.update(buf, 0, len);
        int partNumber = p;
        window.submit(buf, () -> {
          UploadPartRequest req = UploadPartRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
              .partNumber(partNumber).contentLength((long) len).contentMD5(md5(buf, len)).build();
          String etag = retrying(key + " part " + partNumber, () -> s3.uploadPart(req, body(buf, len)),
              window::aborted).eTag();
          return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
        });
      }
      window.drain((part, b) -> done.add(part));
      retrying(key + " complete", () -> s3.completeMultipartUpload(
          b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(done))), () -> false);
      log.debug("uploaded {} in {} parts", uri(key), parts);
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException | InterruptedException | RuntimeException e) {
      window.abandon();
      try {
        s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
      } catch (RuntimeException abortFailed) {
        e.addSuppressed(abortFailed);
      }
      throw e;
    }
  }

  /** Downloads {@code key} to {@code target} (replaced atomically); returns the sha256 (hex) of the bytes. */
  String download(String key, Path target) {
    Path abs = target.toAbsolutePath();
    Path tmp = null;
    try {
      HeadObjectResponse head = retrying(key + " head", () -> s3.headObject(b -> b.bucket(bucket).key(key)), () -> false);
      long size = head.contentLength();
      int parts = partCount(size);
      Files.createDirectories(abs.getParent());
      tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".part");
      MessageDigest sha = digest("SHA-256");
      Window<Integer> window = new Window<>();
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING)) {
        PartSink<Integer> write = (len, buf) -> {
          sha.update(buf, 0, len);
          out.write(buf, 0, len);
        };
        for (int p = 0; p < parts; p++) {
          long start = p * settings.partSize();
          int len = (int) Math.min(settings.partSize(), size - start);
          // a ranged GET of a single-part object would fail on an empty one
          String range = parts == 1 ? null : "bytes=" + start + "-" + (start + len - 1);
          GetObjectRequest req = GetObjectRequest.builder().bucket(bucket).key(key).ifMatch(head.eTag()).range(range).build();
          byte[] buf = window.acquire(write);
          String what = key + (range == null ? "" : " " + range);
          window.submit(buf, () -> retrying(what, () -> readPart(req, buf, len), window::aborted));
        }
        window.drain(write);
      } catch (IOException | InterruptedException | RuntimeException e) {
        window.abandon();
        throw e;
      }
      move(tmp, abs);
      log.debug("downloaded {} in {} parts", uri(key), parts);
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot download " + uri(key) + " to " + target, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new InterruptedIOException("download of " + uri(key) + " interrupted"));
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: a leftover .part file is hidden and harmless
        }
      }
    }
  }

  private int readPart(GetObjectRequest req, byte[] buf, int len) throws IOException {
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(req)) {
      int n = in.readNBytes(buf, 0, len);
      if (n != len || in.read() != -1) {
        throw new IOException("short or long read of " + uri(req.key()) + " " + req.range() + ": expected "
            + len + " bytes, got " + (n != len ? n : "more"));
      }
      return n;
    }
  }

  private int partCount(long size) {
    return (int) Math.max(1, (size + settings.partSize() - 1) / settings.partSize());
  }

  /** Runs {@code call}, retrying transient faults with exponential backoff up to the attempt limit. */
  private <T> T retrying(String what, Callable<T> call, java.util.function.BooleanSupplier aborted)
      throws IOException, InterruptedException {
    long delay = settings.retryBackoff().toMillis();
    for (int attempt = 1; ; attempt++) {
      if (aborted.getAsBoolean()) {
        throw new CancellationException("transfer abandoned");
      }
      try {
        return call.call();
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        if (!retryable(e) || attempt >= settings.maxAttempts()) {
          if (e instanceof IOException io) {
            throw io;
          }
          if (e instanceof RuntimeException re) {
            throw re;
          }
          throw new IOException(e);
        }
        log.warn("transfer {} attempt {}/{} failed, retrying in {} ms: {}", what, attempt,
            settings.maxAttempts(), delay, e.toString());
        Thread.sleep(delay);
        delay *= 2;
      }
    }
  }

  static boolean retryable(Exception e) {
    if (e instanceof S3Exception s3e) {
      int status = s3e.statusCode();
      String code = s3e.awsErrorDetails() == null ? null : s3e.awsErrorDetails().errorCode();
      return status >= 500 || status == 408 || status == 429 || RETRYABLE_CODES.contains(code);
    }
    return e instanceof IOException || e instanceof UncheckedIOException || e instanceof SdkClientException;
  }

  private static RequestBody body(byte[] buf, int len) {
    // a fresh stream per attempt, over the buffer without copying it
    return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buf, 0, len), len,
        "application/octet-stream");
  }

  private static String md5(byte[] buf, int len) {
    MessageDigest md = digest("MD5");
    md.update(buf, 0, len);
    return Base64.getEncoder().encodeToString(md.digest());
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void readFully(FileChannel in, long offset, byte[] buf, int len) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
    while (bb.hasRemaining()) {
      if (in.read(bb, offset + bb.position()) < 0) {
        throw new IOException("file shrank while uploading: no bytes at offset " + (offset + bb.position()));
      }
    }
  }

  private static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private String uri(String key) {
    return "s3://" + bucket + "/" + key;
  }

  /** What the caller does with a finished part, in part order, before its buffer is reused. */
  @FunctionalInterface
  private interface PartSink<T> {
    void accept(T result, byte[] buffer) throws IOException;
  }

  /**
   * The parts of one transfer in flight, oldest first. A caller blocks for a buffer only when it
   * has none in flight; otherwise it finishes its oldest part to free one, so callers sharing the
   * buffers can never all wait on each other.
   */
  private final class Window<T> {
    private record Slot<T>(byte[] buffer, Future<T> result) {}

    private final Deque<Slot<T>> slots = new ArrayDeque<>();
    private volatile boolean aborted;

    boolean aborted() {
      return aborted;
    }

    byte[] acquire(PartSink<T> sink) throws IOException, InterruptedException {
      while (true) {
        byte[] b = buffers.tryTake();
        if (b != null) {
          return b;
        }
        if (slots.isEmpty()) {
          return buffers.take();
        }
        finishOldest(sink);
      }
    }

    void submit(byte[] buffer, Callable<T> part) {
      try {
        slots.addLast(new Slot<>(buffer, pool.submit(part)));
      } catch (RuntimeException e) {
        buffers.give(buffer);
        throw e;
      }
    }

    void drain(PartSink<T> sink) throws IOException, InterruptedException {
      while (!slots.isEmpty()) {
        finishOldest(sink);
      }
    }

    private void finishOldest(PartSink<T> sink) throws IOException, InterruptedException {
      Slot<T> slot = slots.peekFirst();
      T value;
      try {
        value = slot.result().get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IOException io) {
          throw io;
        }
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        throw new IOException(cause);
      }
      slots.removeFirst();
      try {
        sink.accept(value, slot.buffer());
      } finally {
        buffers.give(slot.buffer());
      }
    }

    /** After a failure: stop the parts not yet started, wait for the running ones, free every buffer. */
    void abandon() {
      aborted = true;
      boolean interrupted = false;
      for (Slot<T> slot : slots) {
        while (true) {
          try {
            slot.result().get();
            break;
          } catch (InterruptedException e) {
            interrupted = true;
          } catch (ExecutionException | CancellationException e) {
            break;
          }
        }
        buffers.give(slot.buffer());
      }
      slots.clear();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
