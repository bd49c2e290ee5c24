package io.llavascale.activities.store;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} over an AWS SDK v2 {@link S3Client}. Files move through {@link S3Transfer}:
 * parallel multipart uploads and ranged parallel downloads above one part, per-part checksums and
 * retries, a fixed number of part buffers, and the whole file's sha256 returned for the manifest.
 * Nothing is created implicitly: the bucket must exist.
 */
public final class S3ObjectStore implements ObjectStore {
  private static final int DELETE_BATCH = 1000;

  private final S3Client s3;
  private final String bucket;
  private final S3Transfer transfer;

  public S3ObjectStore(S3Client s3, String bucket) {
    this(s3, bucket, TransferSettings.DEFAULTS);
  }

  public S3ObjectStore(S3Client s3, String bucket, TransferSettings transfer) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.transfer = new S3Transfer(s3, bucket, Objects.requireNonNull(transfer, "transfer"));
  }

  public TransferSettings transferSettings() {
    return transfer.settings();
  }

  /** Most part buffers checked out at once so far: at most {@code concurrency}. */
  int peakPartBuffers() {
    return transfer.peakBuffersInUse();
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
  public String putFile(String key, Path file) {
    return transfer.upload(key, file);
  }

  @Override
  public byte[] getBytes(String key) {
    return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
  }

  @Override
  public String getFile(String key, Path target) {
    return transfer.download(key, target);
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
}
