package io.llavascale.infra.config;

import io.llavascale.infra.codec.PayloadKeys;
import io.llavascale.infra.s3.S3Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where the pipeline's Temporal and S3 live, resolved from environment variables (and optionally
 * a properties file named by {@code LLAVA_CONFIG} holding the same keys; the environment wins).
 *
 * <p>Null means "not configured": a null {@code temporalAddress} means use the embedded dev
 * Temporal; a null {@code s3Endpoint} together with a null {@code s3Region} means use the
 * embedded S3. {@code s3Credentials} is set only for the embedded store (read from its 600 file);
 * real S3 uses the standard AWS credential chain. A non-null {@code payloadKeys} turns on payload
 * encryption ({@link PayloadKeys} names its variables). Secrets never appear in {@link #toString()}.
 */
public record StackConfig(
    String temporalAddress,
    String temporalNamespace,
    Path temporalTlsCert,
    Path temporalTlsKey,
    String temporalApiKey,
    URI s3Endpoint,
    String s3Region,
    String s3Bucket,
    Path home,
    S3Credentials s3Credentials,
    PayloadKeys payloadKeys) {

  public static final String ENV_CONFIG_FILE = "LLAVA_CONFIG";
  public static final String ENV_TEMPORAL_ADDRESS = "LLAVA_TEMPORAL_ADDRESS";
  public static final String ENV_TEMPORAL_NAMESPACE = "LLAVA_TEMPORAL_NAMESPACE";
  public static final String ENV_TEMPORAL_TLS_CERT = "LLAVA_TEMPORAL_TLS_CERT";
  public static final String ENV_TEMPORAL_TLS_KEY = "LLAVA_TEMPORAL_TLS_KEY";
  public static final String ENV_TEMPORAL_API_KEY = "LLAVA_TEMPORAL_API_KEY";
  public static final String ENV_S3_ENDPOINT = "LLAVA_S3_ENDPOINT";
  public static final String ENV_S3_REGION = "LLAVA_S3_REGION";
  public static final String ENV_S3_BUCKET = "LLAVA_S3_BUCKET";
  public static final String ENV_HOME = "LLAVA_HOME";

  public static final String DEFAULT_NAMESPACE = "default";
  public static final String DEFAULT_BUCKET = "llava-runs";
  public static final String DEFAULT_HOME = "./.llava";

  public StackConfig {
    temporalNamespace = blankToNull(temporalNamespace);
    if (temporalNamespace == null) {
      temporalNamespace = DEFAULT_NAMESPACE;
    }
    s3Bucket = blankToNull(s3Bucket);
    if (s3Bucket == null) {
      s3Bucket = DEFAULT_BUCKET;
    }
    home = home == null ? Path.of(DEFAULT_HOME) : home;
    temporalAddress = blankToNull(temporalAddress);
    temporalApiKey = blankToNull(temporalApiKey);
    s3Region = blankToNull(s3Region);
    if ((temporalTlsCert == null) != (temporalTlsKey == null)) {
      throw new IllegalArgumentException(
          "mTLS needs both "
              + ENV_TEMPORAL_TLS_CERT
              + " and "
              + ENV_TEMPORAL_TLS_KEY
              + " (got only "
              + (temporalTlsCert != null ? ENV_TEMPORAL_TLS_CERT : ENV_TEMPORAL_TLS_KEY)
              + ")");
    }
  }

  /** Resolves from the process environment. */
  public static StackConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  /** Resolves from the given variables, plus the {@code LLAVA_CONFIG} file when one is named. */
  public static StackConfig fromEnv(Map<String, String> env) {
    Map<String, String> merged = new HashMap<>();
    String file = blankToNull(env.get(ENV_CONFIG_FILE));
    if (file != null) {
      merged.putAll(readProperties(Path.of(file)));
    }
    env.forEach(
        (k, v) -> {
          if (blankToNull(v) != null) {
            merged.put(k, v);
          }
        });
    return fromMap(merged);
  }

  static StackConfig fromMap(Map<String, String> m) {
    String endpoint = blankToNull(m.get(ENV_S3_ENDPOINT));
    URI endpointUri = null;
    if (endpoint != null) {
      endpointUri = URI.create(endpoint.trim());
      if (endpointUri.getScheme() == null || endpointUri.getHost() == null) {
        throw new IllegalArgumentException(
            ENV_S3_ENDPOINT + " must be a URL like http://host:port, got '" + endpoint + "'");
      }
    }
    return new StackConfig(
        m.get(ENV_TEMPORAL_ADDRESS),
        m.get(ENV_TEMPORAL_NAMESPACE),
        pathOrNull(m.get(ENV_TEMPORAL_TLS_CERT)),
        pathOrNull(m.get(ENV_TEMPORAL_TLS_KEY)),
        m.get(ENV_TEMPORAL_API_KEY),
        endpointUri,
        m.get(ENV_S3_REGION),
        m.get(ENV_S3_BUCKET),
        pathOrNull(m.get(ENV_HOME)),
        null,
        PayloadKeys.fromMap(m).orElse(null));
  }

  private static Map<String, String> readProperties(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read config file " + file + " (named by " + ENV_CONFIG_FILE + ")", e);
    }
    Map<String, String> m = new HashMap<>();
    p.forEach((k, v) -> m.put(k.toString().trim(), v.toString().trim()));
    return m;
  }

  /** True when no external Temporal is configured (use the embedded dev server). */
  public boolean temporalEmbedded() {
    return temporalAddress == null;
  }

  /** True when neither an S3 endpoint nor a region is configured (use the embedded S3Proxy). */
  public boolean s3Embedded() {
    return s3Endpoint == null && s3Region == null;
  }

  /** True when neither an external Temporal nor an external S3 is configured. */
  public boolean isEmbedded() {
    return temporalEmbedded() && s3Embedded();
  }

  public boolean usesMtls() {
    return temporalTlsCert != null;
  }

  public boolean usesApiKey() {
    return temporalApiKey != null;
  }

  /** The same config pointing at a running Temporal. */
  public StackConfig withTemporal(String address, String namespace) {
    return new StackConfig(
        address, namespace, temporalTlsCert, temporalTlsKey, temporalApiKey, s3Endpoint, s3Region,
        s3Bucket, home, s3Credentials, payloadKeys);
  }

  /** The same config pointing at a running S3 endpoint with static credentials (may be null). */
  public StackConfig withS3(URI endpoint, String region, String bucket, S3Credentials credentials) {
    return new StackConfig(
        temporalAddress, temporalNamespace, temporalTlsCert, temporalTlsKey, temporalApiKey,
        endpoint, region, bucket, home, credentials, payloadKeys);
  }

  public StackConfig withHome(Path newHome) {
    return new StackConfig(
        temporalAddress, temporalNamespace, temporalTlsCert, temporalTlsKey, temporalApiKey,
        s3Endpoint, s3Region, s3Bucket, newHome, s3Credentials, payloadKeys);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static Path pathOrNull(String s) {
    String v = blankToNull(s);
    return v == null ? null : Path.of(v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StackConfig c
        && Objects.equals(temporalAddress, c.temporalAddress)
        && Objects.equals(temporalNamespace, c.temporalNamespace)
        && Objects.equals(temporalTlsCert, c.temporalTlsCert)
        && Objects.equals(temporalTlsKey, c.temporalTlsKey)
        && Objects.equals(temporalApiKey, c.temporalApiKey)
        && Objects.equals(s3Endpoint, c.s3Endpoint)
        && Objects.equals(s3Region, c.s3Region)
        && Objects.equals(s3Bucket, c.s3Bucket)
        && Objects.equals(home, c.home)
        && Objects.equals(s3Credentials, c.s3Credentials)
        && Objects.equals(payloadKeys == null ? null : payloadKeys.ids(),
            c.payloadKeys == null ? null : c.payloadKeys.ids());
  }

  @Override
  public int hashCode() {
    return Objects.hash(temporalAddress, temporalNamespace, s3Endpoint, s3Region, s3Bucket, home);
  }

  @Override
  public String toString() {
    return "StackConfig[temporal="
        + (temporalAddress == null ? "embedded" : temporalAddress)
        + ", namespace="
        + temporalNamespace
        + (usesMtls() ? ", mtls=" + temporalTlsCert : "")
        + (usesApiKey() ? ", apiKey=***" : "")
        + ", s3="
        + (s3Embedded() ? "embedded" : (s3Endpoint == null ? "aws" : s3Endpoint.toString()))
        + (s3Region == null ? "" : ", region=" + s3Region)
        + ", bucket="
        + s3Bucket
        + ", home="
        + home
        + (s3Credentials == null ? "" : ", s3AccessKey=" + s3Credentials.accessKeyId())
        + (payloadKeys == null ? "" : ", payloadKey=" + payloadKeys.currentId())
        + "]";
  }
}
