package io.llavascale.activities.store;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * How large files move to and from S3: part size (also the multipart threshold), parts in flight
 * (one buffer each, so memory is {@code partSize * concurrency}), attempts per part and the first
 * retry delay (doubled per attempt). Read from {@code LLAVA_TRANSFER_*}; validated here.
 */
public record TransferSettings(long partSize, int concurrency, int maxAttempts, Duration retryBackoff) {
  public static final String ENV_PART_SIZE = "LLAVA_TRANSFER_PART_SIZE";
  public static final String ENV_CONCURRENCY = "LLAVA_TRANSFER_CONCURRENCY";
  public static final String ENV_ATTEMPTS = "LLAVA_TRANSFER_ATTEMPTS";

  public static final long MIN_PART_SIZE = 5L * 1024 * 1024; // the S3 minimum for all but the last part
  public static final long MAX_PART_SIZE = 1L << 30; // parts live in byte[] buffers
  public static final int MAX_CONCURRENCY = 64;
  public static final int MAX_PARTS = 10_000; // the S3 limit per multipart upload

  public static final TransferSettings DEFAULTS =
      new TransferSettings(16L * 1024 * 1024, 8, 4, Duration.ofMillis(200));

  public TransferSettings {
    if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
      throw new IllegalArgumentException(ENV_PART_SIZE + " (part size) must be between 5m and 1g, got " + partSize + " bytes");
    }
    if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw new IllegalArgumentException(ENV_CONCURRENCY + " (parts in flight) must be 1.." + MAX_CONCURRENCY + ", got " + concurrency);
    }
    if (maxAttempts < 1 || maxAttempts > 20) {
      throw new IllegalArgumentException(ENV_ATTEMPTS + " (attempts per part) must be 1..20, got " + maxAttempts);
    }
    if (retryBackoff == null || retryBackoff.isNegative()) {
      throw new IllegalArgumentException("retryBackoff must be zero or positive, got " + retryBackoff);
    }
  }

  /** Defaults overridden by whichever of the {@code LLAVA_TRANSFER_*} variables are set. */
  public static TransferSettings fromEnv(Map<String, String> env) {
    String part = env.get(ENV_PART_SIZE);
    String conc = env.get(ENV_CONCURRENCY);
    String attempts = env.get(ENV_ATTEMPTS);
    return new TransferSettings(
        blank(part) ? DEFAULTS.partSize : parseSize(ENV_PART_SIZE, part),
        blank(conc) ? DEFAULTS.concurrency : parseInt(ENV_CONCURRENCY, conc),
        blank(attempts) ? DEFAULTS.maxAttempts : parseInt(ENV_ATTEMPTS, attempts),
        DEFAULTS.retryBackoff);
  }

  public TransferSettings withPartSize(long bytes) {
    return new TransferSettings(bytes, concurrency, maxAttempts, retryBackoff);
  }

  public TransferSettings withConcurrency(int parts) {
    return new TransferSettings(partSize, parts, maxAttempts, retryBackoff);
  }

  /** Bytes, or a number with a binary suffix k, m, g, t (optionally followed by "b" or "ib"). */
  public static long parseSize(String field, String text) {
    String s = text.trim().toLowerCase(Locale.ROOT).replaceFirst("i?b$", "");
    long unit = 1;
    if (!s.isEmpty()) {
      int shift = "kmgt".indexOf(s.charAt(s.length() - 1));
      if (shift >= 0) {
        unit = 1L << (10 * (shift + 1));
        s = s.substring(0, s.length() - 1);
      }
    }
    try {
      long n = Long.parseLong(s.trim());
      if (n < 0 || n > Long.MAX_VALUE / unit) {
        throw new NumberFormatException();
      }
      return n * unit;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " must be a size such as 16m, 1g or 5242880, got '" + text + "'");
    }
  }

  private static int parseInt(String field, String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " must be a whole number, got '" + text + "'");
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
