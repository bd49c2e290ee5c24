package io.llavascale.infra.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.temporal.api.common.v1.Payloads;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The codec server the Temporal UI and CLI call to show encrypted payloads to people holding the
 * key: {@code POST .../encode} and {@code POST .../decode} with {@code {"payloads": [...]}} in
 * protobuf JSON, CORS for the UI's origins, and optionally a bearer token every request must carry.
 */
public final class CodecServer implements AutoCloseable {
  /** Where {@code llava codec-server} reads the bearer token when no token file is given. */
  public static final String ENV_TOKEN = "LLAVA_CODEC_TOKEN";
  private static final Logger log = LoggerFactory.getLogger(CodecServer.class);
  private static final int MAX_BODY = 8 * 1024 * 1024; // Temporal caps payloads near 2 MB

  /**
   * @param bind           address to listen on (127.0.0.1 unless the UI reaches it over a network)
   * @param port           0 picks a free one
   * @param allowedOrigins origins the browser may call from (for example http://localhost:8080),
   *                       or "*" for any
   * @param authToken      when set, requests need {@code Authorization: Bearer <token>}
   */
  public record Options(String bind, int port, List<String> allowedOrigins, String authToken) {
    public Options {
      allowedOrigins = List.copyOf(allowedOrigins);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("--port must be 0..65535, got " + port);
      }
    }
  }

  private final HttpServer server;
  private final ExecutorService threads;

  private CodecServer(HttpServer server, ExecutorService threads) {
    this.server = server;
    this.threads = threads;
  }

  public static CodecServer start(PayloadCodec codec, Options options) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(options.bind(), options.port()), 0);
    server.createContext("/", exchange -> handle(exchange, codec, options));
    ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "llava-codec-server");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(threads);
    server.start();
    log.info("codec server on http://{}:{} (origins {}, auth {})", options.bind(), server.getAddress().getPort(),
        options.allowedOrigins(), options.authToken() == null ? "off" : "bearer token");
    return new CodecServer(server, threads);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void handle(HttpExchange ex, PayloadCodec codec, Options options) throws IOException {
    try (ex) {
      String origin = ex.getRequestHeaders().getFirst("Origin");
      if (origin != null && (options.allowedOrigins().contains("*") || options.allowedOrigins().contains(origin))) {
        var h = ex.getResponseHeaders();
        h.set("Access-Control-Allow-Origin", origin);
        h.set("Access-Control-Allow-Credentials", "true");
        h.set("Access-Control-Allow-Methods", "POST, OPTIONS");
        h.set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization");
        h.set("Vary", "Origin");
      }
      String path = ex.getRequestURI().getPath();
      boolean encode = path.endsWith("/encode");
      if (!encode && !path.endsWith("/decode")) {
        reply(ex, 404, "{\"message\":\"use POST /encode or /decode\"}");
        return;
      }
      if (ex.getRequestMethod().equals("OPTIONS")) {
        ex.sendResponseHeaders(200, -1); // CORS preflight: browsers send no credentials with it
        return;
      }
      if (!ex.getRequestMethod().equals("POST")) {
        reply(ex, 405, "{\"message\":\"POST only\"}");
        return;
      }
      if (options.authToken() != null && !authorized(ex, options.authToken())) {
        reply(ex, 401, "{\"message\":\"missing or wrong bearer token\"}");
        return;
      }
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readNBytes(MAX_BODY + 1);
      }
      if (body.length > MAX_BODY) {
        reply(ex, 413, "{\"message\":\"body above " + MAX_BODY + " bytes\"}");
        return;
      }
      Payloads.Builder in = Payloads.newBuilder();
      try {
        JsonFormat.parser().ignoringUnknownFields().merge(new String(body, StandardCharsets.UTF_8), in);
      } catch (InvalidProtocolBufferException e) {
        reply(ex, 400, "{\"message\":\"body is not {\\\"payloads\\\": [...]}\"}");
        return;
      }
      Payloads out;
      try {
        out = Payloads.newBuilder()
            .addAllPayloads(encode ? codec.encode(in.getPayloadsList()) : codec.decode(in.getPayloadsList()))
            .build();
      } catch (PayloadCodecException e) {
        log.warn("codec server: {} of {} payloads failed: {}", encode ? "encode" : "decode", in.getPayloadsCount(),
            e.getMessage());
        reply(ex, 400, "{\"message\":" + quote(e.getMessage()) + "}");
        return;
      }
      reply(ex, 200, JsonFormat.printer().print(out));
    }
  }

  private static boolean authorized(HttpExchange ex, String token) {
    String header = ex.getRequestHeaders().getFirst("Authorization");
    byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    return header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8));
  }

  private static void reply(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public void close() {
    server.stop(1);
    threads.shutdown();
  }
}
