package io.llavascale.infra.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payloads;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The codec server over real HTTP, the way the Temporal UI calls it. */
class CodecServerTest {
  static final String UI = "http://localhost:8080";

  @Test
  void decodesForTheUiWithCorsAndTheBearerToken() throws Exception {
    AesGcmPayloadCodec codec = new AesGcmPayloadCodec(PayloadKeys.of("ui-1", AesGcmPayloadCodecTest.key(4)));
    Payloads sealed = Payloads.newBuilder()
        .addPayloads(codec.encode(List.of(AesGcmPayloadCodecTest.json(AesGcmPayloadCodecTest.SPEC))).get(0))
        .build();
    String body = JsonFormat.printer().print(sealed);
    try (CodecServer server = CodecServer.start(codec, new CodecServer.Options("127.0.0.1", 0, List.of(UI), "s3cret"))) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();

      HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create(base + "/decode"))
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
          .header("Origin", UI).header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, preflight.statusCode());
      assertEquals(UI, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
      assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("X-Namespace"));

      HttpResponse<String> noToken = http.send(post(base + "/decode", body, null), HttpResponse.BodyHandlers.ofString());
      assertEquals(401, noToken.statusCode());

      HttpResponse<String> decoded = http.send(post(base + "/decode", body, "s3cret"), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, decoded.statusCode(), decoded.body());
      assertEquals(UI, decoded.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
      Payloads.Builder out = Payloads.newBuilder();
      JsonFormat.parser().merge(decoded.body(), out);
      assertEquals(AesGcmPayloadCodecTest.SPEC, out.getPayloads(0).getData().toStringUtf8());

      // encode, then decode again through a namespace-prefixed path as the UI may configure it
      String plainBody = JsonFormat.printer().print(out.build());
      HttpResponse<String> encoded = http.send(post(base + "/default/encode", plainBody, "s3cret"), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, encoded.statusCode());
      assertFalse(encoded.body().contains("secret-bucket"));
      Payloads.Builder again = Payloads.newBuilder();
      JsonFormat.parser().merge(encoded.body(), again);
      assertEquals(AesGcmPayloadCodecTest.SPEC, codec.decode(again.getPayloadsList()).get(0).getData().toStringUtf8());

      // an origin not allowed gets no CORS grant; a payload under another key is a clear 400
      HttpResponse<String> otherOrigin = http.send(HttpRequest.newBuilder(URI.create(base + "/decode"))
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://evil.example").build(),
          HttpResponse.BodyHandlers.ofString());
      assertTrue(otherOrigin.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
      try (CodecServer wrongKey = CodecServer.start(new AesGcmPayloadCodec(PayloadKeys.of("ui-1", AesGcmPayloadCodecTest.key(5))),
          new CodecServer.Options("127.0.0.1", 0, List.of(UI), null))) {
        HttpResponse<String> bad = http.send(post("http://127.0.0.1:" + wrongKey.port() + "/decode", body, null),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("cannot decrypt payload with key 'ui-1'"), bad.body());
      }
    }
  }

  private static HttpRequest post(String url, String json, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json").header("Origin", UI).header("X-Namespace", "default")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b.build();
  }
}
