package io.llavascale.activities.evaluate.judge;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Where the OpenAI-compatible judge lives. From the worker's environment, never from the run
 * spec (which crosses Temporal): {@value #BASE_URL} (default {@value #DEFAULT_BASE_URL}),
 * {@value #MODEL} (when the spec's {@code eval.judgeModel} is empty) and {@value #API_KEY}
 * (sent as a bearer token; may be empty for a local server). {@link #toString()} leaves the key out.
 *
 * @param maxAttempts    tries per judgement before giving up
 * @param initialBackoff wait after the first failed try, doubling after each further one
 * @param timeout        connect and whole-request timeout
 */
public record JudgeSettings(URI baseUrl, String model, String apiKey, int maxAttempts, Duration initialBackoff,
    Duration timeout) {
  public static final String BASE_URL = "LLAVA_JUDGE_BASE_URL";
  public static final String MODEL = "LLAVA_JUDGE_MODEL";
  public static final String API_KEY = "LLAVA_JUDGE_API_KEY";
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

  /**
   * @param specModel the spec's eval.judgeModel ("" to take {@value #MODEL})
   * @throws JudgeException (not retryable) when no model is named anywhere
   */
  public static JudgeSettings fromEnvironment(Map<String, String> env, String specModel) {
    String model = specModel.isBlank() ? env.getOrDefault(MODEL, "").strip() : specModel.strip();
    if (model.isEmpty()) {
      throw new JudgeException("eval.judge is openai but no judge model is named: set eval.judgeModel in the spec or "
          + MODEL + " in the worker's environment", false);
    }
    String base = env.getOrDefault(BASE_URL, "").strip();
    URI baseUrl = URI.create(base.isEmpty() ? DEFAULT_BASE_URL : base.replaceAll("/+$", ""));
    return new JudgeSettings(baseUrl, model, env.getOrDefault(API_KEY, "").strip(), 5, Duration.ofSeconds(2),
        Duration.ofSeconds(60));
  }

  @Override
  public String toString() {
    return "JudgeSettings[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=" + (apiKey.isEmpty() ? "none" : "set")
        + ", maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + ", timeout=" + timeout + "]";
  }
}
