package io.llavascale.infra.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.temporal.api.common.v1.Payload;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts every payload (workflow inputs and results, activity arguments, signals, queries and,
 * through the data converter, failure messages) with AES-GCM, so the Temporal server's history
 * holds no readable spec or result. The key id travels in the payload's metadata and is bound as
 * associated data, so keys can rotate and a payload cannot be passed off under another id.
 * Payloads that are not encrypted decode unchanged (histories from before encryption was on).
 */
public final class AesGcmPayloadCodec implements PayloadCodec {
  public static final String ENCODING = "binary/encrypted";
  public static final String METADATA_ENCODING = "encoding";
  public static final String METADATA_CIPHER = "encryption-cipher";
  public static final String METADATA_KEY_ID = "encryption-key-id";
  static final String CIPHER = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final PayloadKeys keys;
  private final SecureRandom random = new SecureRandom();

  public AesGcmPayloadCodec(PayloadKeys keys) {
    this.keys = keys;
  }

  @Override
  public List<Payload> encode(List<Payload> payloads) {
    return payloads.stream().map(this::encrypt).toList();
  }

  @Override
  public List<Payload> decode(List<Payload> payloads) {
    return payloads.stream().map(this::decrypt).toList();
  }

  private Payload encrypt(Payload plain) {
    String id = keys.currentId();
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] sealed = crypt(Cipher.ENCRYPT_MODE, keys.current(), id, nonce, plain.toByteArray(), 0);
    return Payload.newBuilder()
        .putMetadata(METADATA_ENCODING, utf8(ENCODING))
        .putMetadata(METADATA_CIPHER, utf8(CIPHER))
        .putMetadata(METADATA_KEY_ID, utf8(id))
        .setData(ByteString.copyFrom(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array()))
        .build();
  }

  private Payload decrypt(Payload p) {
    ByteString encoding = p.getMetadataMap().get(METADATA_ENCODING);
    if (encoding == null || !encoding.toStringUtf8().equals(ENCODING)) {
      return p;
    }
    String id = p.getMetadataMap().getOrDefault(METADATA_KEY_ID, ByteString.EMPTY).toStringUtf8();
    SecretKey key = keys.find(id).orElseThrow(() -> new PayloadCodecException(
        "payload was encrypted with key '" + id + "', which is not loaded (loaded: " + keys.ids() + "); add it to "
            + PayloadKeys.ENV_KEY_FILE + " or set " + PayloadKeys.ENV_KEY + "/" + PayloadKeys.ENV_KEY_ID));
    byte[] data = p.getData().toByteArray();
    if (data.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new PayloadCodecException("encrypted payload (key '" + id + "') is too short: " + data.length + " bytes");
    }
    byte[] nonce = java.util.Arrays.copyOf(data, NONCE_BYTES);
    byte[] plain = crypt(Cipher.DECRYPT_MODE, key, id, nonce, data, NONCE_BYTES);
    try {
      return Payload.parseFrom(plain);
    } catch (InvalidProtocolBufferException e) {
      throw new PayloadCodecException("decrypted payload (key '" + id + "') is not a payload", e);
    }
  }

  private static byte[] crypt(int mode, SecretKey key, String keyId, byte[] nonce, byte[] data, int offset) {
    try {
      Cipher c = Cipher.getInstance(CIPHER);
      c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(data, offset, data.length - offset);
    } catch (AEADBadTagException e) {
      throw new PayloadCodecException("cannot decrypt payload with key '" + keyId
          + "': the key differs from the one that encrypted it, or the payload was altered", e);
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException("AES-GCM failed with key '" + keyId + "': " + e.getMessage(), e);
    }
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
