package io.llavascale.activities.store;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The object store as activities see it: one bucket, keys relative to it. The S3 implementation
 * talks to any S3 endpoint (the embedded S3Proxy by default); tests may use a local-folder one.
 * Transient faults surface as {@link java.io.UncheckedIOException} or SDK exceptions so the
 * activity's retry policy handles them.
 */
public interface ObjectStore {
  String bucket();

  /** s3://bucket/key */
  default String uri(String key) {
    return "s3://" + bucket() + "/" + key;
  }

  void putBytes(String key, byte[] bytes);

  /**
   * Uploads a local file (in parallel parts when large).
   *
   * @return the sha256 (hex) of the bytes uploaded, to compare with the manifest's
   */
  String putFile(String key, Path file);

  byte[] getBytes(String key);

  /**
   * Downloads an object to a local file (in parallel ranges when large), replacing it.
   *
   * @return the sha256 (hex) of the bytes downloaded, to compare with the manifest's
   */
  String getFile(String key, Path target);

  /** Downloads every object under the prefix into a local folder, keeping relative paths. */
  default void getPrefix(String prefix, Path target) {
    String root = prefix.endsWith("/") ? prefix : prefix + "/";
    for (String key : list(root)) {
      Path file = target.resolve(key.substring(root.length()));
      try {
        java.nio.file.Files.createDirectories(file.getParent());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      getFile(key, file);
    }
  }

  /** Opens an object for streaming reads; the caller closes it. */
  InputStream open(String key);

  /** Size in bytes, or empty when the object does not exist. */
  Optional<Long> size(String key);

  /** Every key under the prefix (recursive), sorted. */
  List<String> list(String prefix);

  void delete(String key);

  /** Deletes every key under the prefix. */
  void deletePrefix(String prefix);
}
