package io.llavascale.activities.evaluate.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.store.Manifest;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.model.metrics.Judge;
import io.llavascale.model.metrics.JudgeRequest;
import io.llavascale.model.metrics.Judgement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps every judgement in the object store under {@code judgements/<sha256>.json}, the hash
 * over the judge (and its model), the prompt rule and the whole request (context, question,
 * reference, answer). A rerun, a retried attempt or another run asking the same thing pays nothing.
 * Not thread-safe (its counters), as the evaluator judges one question at a time.
 */
public final class CachedJudge implements Judge {
  public static final String PREFIX = "judgements/";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Judge judge;
  private final ObjectStore store;
  private long calls;
  private long hits;

  public CachedJudge(Judge judge, ObjectStore store) {
    this.judge = judge;
    this.store = store;
  }

  @Override
  public String id() {
    return judge.id();
  }

  @Override
  public Judgement judge(JudgeRequest request) {
    String key = PREFIX + hash(request) + ".json";
    if (store.size(key).isPresent()) {
      JsonNode cached = read(store.getBytes(key));
      hits++;
      return new Judgement(cached.path("reference").asDouble(), cached.path("model").asDouble());
    }
    Judgement judgement = judge.judge(request);
    calls++;
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("judge", judge.id());
    entry.put("questionSha256", sha256(request.question()));
    entry.put("reference", judgement.reference());
    entry.put("model", judgement.model());
    try {
      store.putBytes(key, JSON.writeValueAsBytes(entry));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return judgement;
  }

  /** Judgements asked of the wrapped judge. */
  public long calls() {
    return calls;
  }

  /** Judgements read back from the store. */
  public long hits() {
    return hits;
  }

  private String hash(JudgeRequest r) {
    // Length-prefixed parts, so no two different requests join to the same text.
    StringBuilder s = new StringBuilder();
    for (String part : new String[] {judge.id(), ReviewPrompt.SYSTEM, ReviewPrompt.RULE, r.category(), r.context(),
        r.question(), r.reference(), r.answer()}) {
      s.append(part.length()).append(':').append(part);
    }
    return sha256(s.toString());
  }

  private static String sha256(String text) {
    return Manifest.sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode read(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
