package io.llavascale.activities.evaluate.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A chat-completions endpoint on loopback for tests: answers each request with the next scripted
 * reply (the last one repeats) and records what it was sent.
 */
public final class FakeChatServer implements AutoCloseable {
  static final String KEY = "sk-test-secret-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One scripted answer: an HTTP status and, for 200, the review text the model "wrote". */
  public record Reply(int status, String body, Map<String, String> headers) {
    public static Reply review(String review) {
      try {
        String body = JSON.writeValueAsString(Map.of("id", "chatcmpl-1", "object", "chat.completion",
            "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
                "message", Map.of("role", "assistant", "content", review)))));
        return new Reply(200, body, Map.of());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static Reply status(int status, String body) {
      return new Reply(status, body, Map.of());
    }
  }

  /** What one request carried. */
  record Seen(String authorization, JsonNode body) {}

  private final HttpServer server;
  private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
  private volatile Reply last;
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  public FakeChatServer(Reply... replies) throws IOException {
    script.addAll(List.of(replies));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/chat/completions", exchange -> {
      byte[] in = exchange.getRequestBody().readAllBytes();
      seen.add(new Seen(exchange.getRequestHeaders().getFirst("Authorization"), JSON.readTree(in)));
      Reply next = script.poll();
      Reply reply = next != null ? next : last;
      last = reply;
      reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(reply.status(), out.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(out);
      }
    });
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** Requests received so far. */
  public int requests() {
    return seen.size();
  }

  /** What the worker's environment would hold for this server. */
  public Map<String, String> environment() {
    return Map.of(JudgeSettings.BASE_URL, baseUrl(), JudgeSettings.MODEL, "gpt-4-0314", JudgeSettings.API_KEY, KEY);
  }

  /** Settings with short waits, so retries take milliseconds. */
  JudgeSettings settings(int attempts) {
    JudgeSettings s = JudgeSettings.fromEnvironment(environment(), "");
    return new JudgeSettings(s.baseUrl(), s.model(), s.apiKey(), attempts, Duration.ofMillis(5), Duration.ofSeconds(5));
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
