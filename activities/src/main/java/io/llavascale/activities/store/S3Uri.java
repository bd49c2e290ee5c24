package io.llavascale.activities.store;

import java.util.Objects;

/** {@code s3://bucket/key}; the key may be empty (bucket root) or a folder prefix ending in '/'. */
public record S3Uri(String bucket, String key) {
  public static final String SCHEME = "s3://";

  public S3Uri {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(key, "key");
    if (bucket.isEmpty() || bucket.contains("/")) {
      throw new IllegalArgumentException("invalid S3 bucket name '" + bucket + "'");
    }
    if (key.startsWith("/")) {
      throw new IllegalArgumentException("S3 key must not start with '/': '" + key + "'");
    }
  }

  public static S3Uri of(String bucket, String key) {
    return new S3Uri(bucket, key);
  }

  /** Parses {@code s3://bucket/key}; the error names the bad value. */
  public static S3Uri parse(String value) {
    if (value == null) {
      throw new IllegalArgumentException("not an S3 URI (expected s3://bucket/key): null");
    }
    String v = value.trim();
    if (!v.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      throw new IllegalArgumentException(
          "not an S3 URI (expected s3://bucket/key): '" + value + "'");
    }
    String rest = v.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException("S3 URI has no bucket: '" + value + "'");
    }
    if (key.startsWith("/")) {
      throw new IllegalArgumentException("S3 URI has an empty path segment after the bucket: '" + value + "'");
    }
    return new S3Uri(bucket, key);
  }

  /** Appends a relative path, inserting '/' when the key is a non-empty name without one. */
  public S3Uri resolve(String relative) {
    if (key.isEmpty() || key.endsWith("/")) {
      return new S3Uri(bucket, key + relative);
    }
    return new S3Uri(bucket, key + "/" + relative);
  }

  @Override
  public String toString() {
    return SCHEME + bucket + "/" + key;
  }
}
