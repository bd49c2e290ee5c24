package io.llavascale.activities.evaluate.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.model.metrics.Judge;
import io.llavascale.model.metrics.JudgeRequest;
import io.llavascale.model.metrics.Judgement;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A judge behind an OpenAI-compatible {@code POST <baseUrl>/chat/completions} (OpenAI, Azure's
 * compatible endpoint, vLLM, ...), asked as LLaVA asks GPT-4 ({@link ReviewPrompt}, temperature 0.2).
 * Retries with doubling backoff on 429, 5xx, timeouts, lost connections and replies without two
 * scores (sampling may give a usable one next time), honouring {@code Retry-After}; other 4xx
 * answers (bad key, unknown model) fail at once. The API key goes in one header and nowhere else.
 */
public final class ChatCompletionsJudge implements Judge {
  private static final Logger log = LoggerFactory.getLogger(ChatCompletionsJudge.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
  private static final int SNIPPET = 200;

  private final JudgeSettings settings;
  private final HttpClient http;
  private final URI endpoint;

  public ChatCompletionsJudge(JudgeSettings settings) {
    this.settings = settings;
    this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    this.endpoint = URI.create(settings.baseUrl() + "/chat/completions");
  }

  @Override
  public String id() {
    return "openai:" + settings.model();
  }

  @Override
  public Judgement judge(JudgeRequest request) {
    HttpRequest.Builder post = HttpRequest.newBuilder(endpoint)
        .timeout(settings.timeout())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body(request)));
    if (!settings.apiKey().isEmpty()) {
      post.header("Authorization", "Bearer " + settings.apiKey());
    }
    String problem = "";
    boolean malformed = false;
    for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
      Duration wait = backoff(attempt);
      try {
        HttpResponse<String> response = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status == 200) {
          String review = review(response.body());
          Optional<Judgement> scores = ReviewPrompt.parse(review);
          if (scores.isPresent()) {
            return scores.get();
          }
          malformed = true;
          problem = "reply without two scores on its first line: '" + snippet(review) + "'";
        } else if (status == 429 || status >= 500) {
          malformed = false;
          problem = "HTTP " + status + " " + snippet(response.body());
          wait = retryAfter(response).orElse(wait);
        } else {
          throw new JudgeException("judge " + endpoint + " refused the request with HTTP " + status + ": "
              + snippet(response.body()) + (status == 401 || status == 403 ? " (check " + JudgeSettings.API_KEY + ")" : ""),
              false);
        }
      } catch (IOException e) { // timeouts (HttpTimeoutException) and lost connections
        malformed = false;
        problem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new JudgeException("interrupted while asking the judge", true);
      }
      if (attempt < settings.maxAttempts()) {
        log.warn("judge {} attempt {}/{} failed ({}); retrying in {} ms", id(), attempt, settings.maxAttempts(), problem,
            wait.toMillis());
        sleep(wait);
      }
    }
    // Replies that never hold two scores will not improve with a later retry of the whole stage.
    throw new JudgeException("judge " + id() + " at " + endpoint + " gave no judgement after " + settings.maxAttempts()
        + " attempts; last: " + problem, !malformed);
  }

  private String body(JudgeRequest request) {
    try {
      return JSON.writeValueAsString(Map.of(
          "model", settings.model(),
          "messages", List.of(
              Map.of("role", "system", "content", ReviewPrompt.SYSTEM),
              Map.of("role", "user", "content", ReviewPrompt.content(request))),
          "temperature", 0.2,
          "max_tokens", 1024));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** choices[0].message.content, or the raw body when the reply is not a chat completion. */
  private static String review(String body) {
    try {
      JsonNode content = JSON.readTree(body).path("choices").path(0).path("message").path("content");
      return content.isTextual() ? content.asText() : body;
    } catch (IOException e) {
      return body;
    }
  }

  private Duration backoff(int attempt) {
    Duration d = settings.initialBackoff().multipliedBy(1L << Math.min(attempt - 1, 20));
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }

  private static Optional<Duration> retryAfter(HttpResponse<?> response) {
    try {
      return response.headers().firstValue("Retry-After")
          .map(v -> Duration.ofSeconds(Math.min(Long.parseLong(v.strip()), MAX_BACKOFF.toSeconds())));
    } catch (NumberFormatException e) {
      return Optional.empty(); // an HTTP date: keep our own backoff
    }
  }

  private static void sleep(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JudgeException("interrupted while waiting to retry the judge", true);
    }
  }

  /** One line of what the endpoint said, short, with the key blanked should it be echoed. */
  private String snippet(String text) {
    String said = settings.apiKey().isEmpty() ? text : text.replace(settings.apiKey(), "***");
    String oneLine = said.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= SNIPPET ? oneLine : oneLine.substring(0, SNIPPET) + "...";
  }
}
