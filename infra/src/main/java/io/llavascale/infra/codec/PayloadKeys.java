package io.llavascale.infra.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES keys for payload encryption, by key id. The current key encrypts; every key decrypts, so a
 * key can rotate: put the new one first in the key file and keep the old ones until no history
 * needs them. Key bytes never appear in {@link #toString()} or in messages.
 *
 * <p>From the environment: {@code LLAVA_PAYLOAD_KEY} (base64 of 16, 24 or 32 bytes) with an
 * optional {@code LLAVA_PAYLOAD_KEY_ID}, or {@code LLAVA_PAYLOAD_KEY_FILE} naming a file of
 * {@code id=base64} lines (first line current, '#' comments).
 */
public final class PayloadKeys {
  public static final String ENV_KEY = "LLAVA_PAYLOAD_KEY";
  public static final String ENV_KEY_ID = "LLAVA_PAYLOAD_KEY_ID";
  public static final String ENV_KEY_FILE = "LLAVA_PAYLOAD_KEY_FILE";

  private final String currentId;
  private final Map<String, SecretKey> keys;

  private PayloadKeys(String currentId, Map<String, SecretKey> keys) {
    this.currentId = currentId;
    this.keys = Map.copyOf(keys);
  }

  /** One key; a null id becomes the key's fingerprint (first 8 hex digits of its sha256). */
  public static PayloadKeys of(String id, byte[] key) {
    String keyId = id == null || id.isBlank() ? fingerprint(key) : checkId(id.trim(), ENV_KEY_ID);
    return new PayloadKeys(keyId, Map.of(keyId, aes(key, ENV_KEY)));
  }

  /** The configured keys, or empty when encryption is off (no key variable set). */
  public static Optional<PayloadKeys> fromMap(Map<String, String> env) {
    String key = blankToNull(env.get(ENV_KEY));
    String file = blankToNull(env.get(ENV_KEY_FILE));
    if (key != null && file != null) {
      throw new IllegalArgumentException("set " + ENV_KEY + " or " + ENV_KEY_FILE + ", not both");
    }
    if (key != null) {
      return Optional.of(of(env.get(ENV_KEY_ID), decode(key, ENV_KEY)));
    }
    return file == null ? Optional.empty() : Optional.of(fromFile(Path.of(file)));
  }

  /** {@code id=base64} per line; the first key encrypts. */
  public static PayloadKeys fromFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read payload key file " + file + " (named by " + ENV_KEY_FILE + ")", e);
    }
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    String current = null;
    int n = 0;
    for (String raw : lines) {
      n++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      String where = ENV_KEY_FILE + " " + file + " line " + n;
      if (eq <= 0) {
        throw new IllegalArgumentException(where + ": expected id=base64-key");
      }
      String id = checkId(line.substring(0, eq).strip(), where);
      if (keys.put(id, aes(decode(line.substring(eq + 1).strip(), where), where)) != null) {
        throw new IllegalArgumentException(where + ": key id '" + id + "' appears twice");
      }
      current = current == null ? id : current;
    }
    if (current == null) {
      throw new IllegalArgumentException(ENV_KEY_FILE + " " + file + " holds no key");
    }
    return new PayloadKeys(current, keys);
  }

  public String currentId() {
    return currentId;
  }

  SecretKey current() {
    return keys.get(currentId);
  }

  Optional<SecretKey> find(String id) {
    return Optional.ofNullable(keys.get(id));
  }

  public List<String> ids() {
    return keys.keySet().stream().sorted().toList();
  }

  private static byte[] decode(String base64, String where) {
    try {
      return Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + " must be base64 (for example from `openssl rand -base64 32`)");
    }
  }

  private static SecretKey aes(byte[] key, String where) {
    if (key.length != 16 && key.length != 24 && key.length != 32) {
      throw new IllegalArgumentException(where + " must be an AES key of 16, 24 or 32 bytes, got " + key.length);
    }
    return new SecretKeySpec(key, "AES");
  }

  private static String checkId(String id, String where) {
    if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(where + ": key id '" + id + "' must be 1-64 of A-Z, a-z, 0-9, '.', '_', '-'");
    }
    return id;
  }

  private static String fingerprint(byte[] key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key);
      return "k" + HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public String toString() {
    return "PayloadKeys[current=" + currentId + ", ids=" + ids() + "]";
  }
}
