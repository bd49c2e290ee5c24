package io.llavascale.infra.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AesGcmPayloadCodecTest {
  static final String SPEC = "{\"preset\":\"llava-33b-lora-r64-336\",\"data\":{\"stage2\":\"s3://secret-bucket/mix.json\"}}";

  @TempDir Path tmp;

  static Payload json(String text) {
    return Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(text))
        .build();
  }

  static byte[] key(int seed) {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (seed * 31 + i);
    }
    return k;
  }

  @Test
  void roundTripHidesTheBytesAndNamesTheKey() {
    AesGcmPayloadCodec codec = new AesGcmPayloadCodec(PayloadKeys.of("prod-1", key(1)));
    Payload plain = json(SPEC);
    Payload sealed = codec.encode(List.of(plain)).get(0);
    assertEquals("binary/encrypted", sealed.getMetadataOrThrow("encoding").toStringUtf8());
    assertEquals("prod-1", sealed.getMetadataOrThrow("encryption-key-id").toStringUtf8());
    assertFalse(sealed.getData().toStringUtf8().contains("secret-bucket"));
    assertEquals(plain, codec.decode(List.of(sealed)).get(0));
    // a fresh nonce each time
    assertFalse(sealed.getData().equals(codec.encode(List.of(plain)).get(0).getData()));
    // unencrypted payloads (older history) pass through
    assertEquals(plain, codec.decode(List.of(plain)).get(0));
  }

  @Test
  void wrongKeyUnknownKeyAndTamperingFailClearly() {
    Payload sealed = new AesGcmPayloadCodec(PayloadKeys.of("prod-1", key(1))).encode(List.of(json(SPEC))).get(0);

    PayloadCodecException wrong = assertThrows(PayloadCodecException.class,
        () -> new AesGcmPayloadCodec(PayloadKeys.of("prod-1", key(2))).decode(List.of(sealed)));
    assertTrue(wrong.getMessage().contains("cannot decrypt payload with key 'prod-1'"), wrong.getMessage());

    PayloadCodecException unknown = assertThrows(PayloadCodecException.class,
        () -> new AesGcmPayloadCodec(PayloadKeys.of("prod-2", key(1))).decode(List.of(sealed)));
    assertTrue(unknown.getMessage().contains("key 'prod-1', which is not loaded (loaded: [prod-2])"), unknown.getMessage());

    // relabelling a payload with another loaded key id fails: the id is authenticated
    Payload relabelled = sealed.toBuilder().putMetadata("encryption-key-id", ByteString.copyFromUtf8("other")).build();
    PayloadKeys both = PayloadKeys.of("other", key(1));
    assertThrows(PayloadCodecException.class, () -> new AesGcmPayloadCodec(both).decode(List.of(relabelled)));
  }

  @Test
  void keyFileRotatesNewestFirstAndOldKeysStillDecrypt() throws Exception {
    Payload old = new AesGcmPayloadCodec(PayloadKeys.of("2025-01", key(1))).encode(List.of(json(SPEC))).get(0);
    Path file = Files.writeString(tmp.resolve("keys"), String.join("\n",
        "# newest first",
        "2026-06=" + Base64.getEncoder().encodeToString(key(3)),
        "2025-01=" + Base64.getEncoder().encodeToString(key(1)), ""));
    PayloadKeys keys = PayloadKeys.fromMap(Map.of(PayloadKeys.ENV_KEY_FILE, file.toString())).orElseThrow();
    assertEquals("2026-06", keys.currentId());
    AesGcmPayloadCodec codec = new AesGcmPayloadCodec(keys);
    assertEquals(json(SPEC), codec.decode(List.of(old)).get(0));
    assertEquals("2026-06", codec.encode(List.of(json("x"))).get(0).getMetadataOrThrow("encryption-key-id").toStringUtf8());
    assertFalse(keys.toString().contains(Base64.getEncoder().encodeToString(key(3))));
  }

  @Test
  void environmentIsValidatedWithTheVariableName() {
    assertTrue(PayloadKeys.fromMap(Map.of()).isEmpty());
    String k = Base64.getEncoder().encodeToString(key(1));
    PayloadKeys fromEnv = PayloadKeys.fromMap(Map.of(PayloadKeys.ENV_KEY, k)).orElseThrow();
    assertTrue(fromEnv.currentId().matches("k[0-9a-f]{8}"), fromEnv.currentId());
    assertEquals("a", PayloadKeys.fromMap(Map.of(PayloadKeys.ENV_KEY, k, PayloadKeys.ENV_KEY_ID, "a")).orElseThrow().currentId());
    assertMessage("LLAVA_PAYLOAD_KEY must be base64", Map.of(PayloadKeys.ENV_KEY, "not base64!"));
    assertMessage("16, 24 or 32 bytes, got 3", Map.of(PayloadKeys.ENV_KEY, "YWJj"));
    assertMessage("not both", Map.of(PayloadKeys.ENV_KEY, k, PayloadKeys.ENV_KEY_FILE, "/x"));
  }

  private static void assertMessage(String expected, Map<String, String> env) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PayloadKeys.fromMap(env));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
