package io.llavascale.activities.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/** Parallel parts against a real S3Proxy, with faults injected between our client and it. */
class S3TransferTest {
  private static final int MIB = 1024 * 1024;
  @TempDir static Path s3Dir;
  static S3TestSupport s3;

  @TempDir Path tmp;

  @BeforeAll
  static void up() {
    s3 = new S3TestSupport(s3Dir);
  }

  @AfterAll
  static void down() {
    s3.close();
  }

  /** Lets a test replace some calls of the real client; everything else goes straight through. */
  @FunctionalInterface
  interface Fault {
    /** @return a replacement result, or null to make the real call */
    Object on(String method, Object[] args) throws Exception;
  }

  static S3Client faulty(Fault fault) {
    return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class},
        (proxy, method, args) -> {
          Object replaced = fault.on(method.getName(), args);
          if (replaced != null) {
            return replaced;
          }
          try {
            return method.invoke(s3.client, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void manyPartsRoundTripWithSha256() throws Exception {
    // 23 MiB + 5 bytes: five parts, more than the three buffers, the last one short
    byte[] data = S3TestSupport.randomBytes(23 * MIB + 5, 11);
    Path src = S3TestSupport.write(tmp.resolve("ckpt/model.safetensors"), data);
    S3ObjectStore store = new S3ObjectStore(s3.client, S3TestSupport.BUCKET, S3TestSupport.SMALL_PARTS);

    String sent = store.putFile("rt/model.safetensors", src);
    assertEquals(Manifest.sha256(src), sent);
    assertEquals(data.length, store.size("rt/model.safetensors").orElseThrow());
    Path dst = tmp.resolve("back/model.safetensors");
    assertEquals(sent, store.getFile("rt/model.safetensors", dst));
    assertArrayEquals(data, Files.readAllBytes(dst));
    assertTrue(store.peakPartBuffers() <= 3, "peak buffers " + store.peakPartBuffers());

    Path empty = S3TestSupport.write(tmp.resolve("empty"), new byte[0]);
    assertEquals(Manifest.sha256(empty), store.putFile("rt/empty", empty));
    assertEquals(Manifest.sha256(empty), store.getFile("rt/empty", tmp.resolve("back/empty")));
    assertEquals(0, Files.size(tmp.resolve("back/empty")));
  }

  @Test
  void damagedPartIsRejectedByItsChecksumAndSentAgain() throws Exception {
    AtomicInteger part2Attempts = new AtomicInteger();
    S3Client client = faulty((method, args) -> {
      if (method.equals("uploadPart") && args[0] instanceof UploadPartRequest req && req.partNumber() == 2
          && part2Attempts.incrementAndGet() == 1) {
        // flip one byte in transit: the Content-MD5 no longer matches and the server says BadDigest
        byte[] body = ((RequestBody) args[1]).contentStreamProvider().newStream().readAllBytes();
        body[body.length / 2] ^= 0x5a;
        return s3.client.uploadPart(req, RequestBody.fromBytes(body));
      }
      return null;
    });
    byte[] data = S3TestSupport.randomBytes(12 * MIB, 12);
    Path src = S3TestSupport.write(tmp.resolve("damaged.bin"), data);
    S3ObjectStore store = new S3ObjectStore(client, S3TestSupport.BUCKET, S3TestSupport.SMALL_PARTS);

    assertEquals(Manifest.sha256(src), store.putFile("faults/damaged.bin", src));
    assertEquals(2, part2Attempts.get(), "part 2 sent twice");
    Path dst = tmp.resolve("damaged.out");
    s3.store.getFile("faults/damaged.bin", dst);
    assertArrayEquals(data, Files.readAllBytes(dst));
  }

  @Test
  void truncatedRangeIsFetchedAgain() throws Exception {
    byte[] data = S3TestSupport.randomBytes(11 * MIB, 13);
    Path src = S3TestSupport.write(tmp.resolve("range.bin"), data);
    s3.store.putFile("faults/range.bin", src);
    AtomicInteger secondRangeCalls = new AtomicInteger();
    S3Client client = faulty((method, args) -> {
      if (method.equals("getObject") && args.length == 1 && args[0] instanceof GetObjectRequest req
          && ("bytes=" + 5 * MIB + "-" + (10 * MIB - 1)).equals(req.range())
          && secondRangeCalls.incrementAndGet() == 1) {
        // the connection drops after half the range
        ResponseInputStream<GetObjectResponse> real = s3.client.getObject(req);
        byte[] half = real.readNBytes(5 * MIB / 2);
        real.abort();
        return new ResponseInputStream<>(real.response(), AbortableInputStream.create(new ByteArrayInputStream(half)));
      }
      return null;
    });
    S3ObjectStore store = new S3ObjectStore(client, S3TestSupport.BUCKET, S3TestSupport.SMALL_PARTS);
    Path dst = tmp.resolve("range.out");
    assertEquals(Manifest.sha256(src), store.getFile("faults/range.bin", dst));
    assertEquals(2, secondRangeCalls.get(), "the short range was fetched again");
    assertArrayEquals(data, Files.readAllBytes(dst));
  }

  @Test
  void aRefusedPartFailsTheUploadAndFreesItsBuffers() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    S3Client client = faulty((method, args) -> {
      if (method.equals("uploadPart") && args[0] instanceof UploadPartRequest req
          && req.key().equals("faults/refused.bin") && req.partNumber() == 3) {
        calls.incrementAndGet();
        throw S3Exception.builder().statusCode(403)
            .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied").errorMessage("injected").build())
            .build();
      }
      return null;
    });
    Path src = S3TestSupport.write(tmp.resolve("refused.bin"), S3TestSupport.randomBytes(16 * MIB, 14));
    S3ObjectStore store = new S3ObjectStore(client, S3TestSupport.BUCKET, S3TestSupport.SMALL_PARTS);
    S3Exception e = assertThrows(S3Exception.class, () -> store.putFile("faults/refused.bin", src));
    assertEquals(403, e.statusCode());
    assertEquals(1, calls.get(), "a 403 is not retried");
    assertTrue(store.size("faults/refused.bin").isEmpty(), "nothing committed");
    // every buffer came back: the same store still moves a file needing all three
    Path ok = S3TestSupport.write(tmp.resolve("ok.bin"), S3TestSupport.randomBytes(14 * MIB, 15));
    assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> assertEquals(Manifest.sha256(ok), store.putFile("faults/ok.bin", ok)));
  }

  @Test
  void callersSharingAStoreNeverHoldMoreThanItsBuffers() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger peakInFlight = new AtomicInteger();
    S3Client client = faulty((method, args) -> {
      if (method.equals("uploadPart") || (method.equals("getObject") && args.length == 1)) {
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
          return method.equals("uploadPart")
              ? s3.client.uploadPart((UploadPartRequest) args[0], (RequestBody) args[1])
              : s3.client.getObject((GetObjectRequest) args[0]);
        } finally {
          inFlight.decrementAndGet();
        }
      }
      return null;
    });
    S3ObjectStore store = new S3ObjectStore(client, S3TestSupport.BUCKET, S3TestSupport.SMALL_PARTS);
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        int n = i;
        jobs.add(callers.submit(() -> {
          byte[] data = S3TestSupport.randomBytes(12 * MIB + n, 20 + n);
          Path src = S3TestSupport.write(tmp.resolve("shared-" + n), data);
          String sha = store.putFile("shared/" + n, src);
          assertEquals(sha, store.getFile("shared/" + n, tmp.resolve("shared-out-" + n)));
          assertEquals(Manifest.sha256(src), sha);
          return null;
        }));
      }
      for (Future<?> job : jobs) {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> job.get());
      }
    } finally {
      callers.shutdownNow();
    }
    assertTrue(store.peakPartBuffers() <= 3, "peak buffers " + store.peakPartBuffers());
    assertTrue(peakInFlight.get() <= 3, "peak parts in flight " + peakInFlight.get());
  }

  @Test
  void settingsFromEnvironmentAreValidatedWithTheVariableName() {
    TransferSettings s = TransferSettings.fromEnv(java.util.Map.of(
        TransferSettings.ENV_PART_SIZE, "64m", TransferSettings.ENV_CONCURRENCY, "4"));
    assertEquals(64L * MIB, s.partSize());
    assertEquals(4, s.concurrency());
    assertEquals(TransferSettings.DEFAULTS.maxAttempts(), s.maxAttempts());
    assertEquals(1L << 30, TransferSettings.parseSize("size", "1g"));
    assertEquals(16L * MIB, TransferSettings.parseSize("size", "16MiB"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TransferSettings.fromEnv(java.util.Map.of(TransferSettings.ENV_PART_SIZE, "1m")));
    assertTrue(e.getMessage().contains("LLAVA_TRANSFER_PART_SIZE"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TransferSettings.fromEnv(java.util.Map.of(TransferSettings.ENV_CONCURRENCY, "lots")));
    assertTrue(e.getMessage().contains("LLAVA_TRANSFER_CONCURRENCY"), e.getMessage());
  }
}
