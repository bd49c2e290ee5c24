package io.llavascale.activities.evaluate.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.activities.evaluate.judge.FakeChatServer.Reply;
import io.llavascale.model.metrics.JudgeRequest;
import io.llavascale.model.metrics.Judgement;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChatCompletionsJudgeTest {
  static final JudgeRequest REQUEST = new JudgeRequest("detail", "a red circle at the top left",
      "Describe the image in detail.", "a red circle at the top left", "a red circle");

  @Test
  void asksAsLlavaDoesAndReadsTheTwoScores() throws Exception {
    try (FakeChatServer server = new FakeChatServer(Reply.review("8 6\nAssistant 1 is more detailed."))) {
      ChatCompletionsJudge judge = new ChatCompletionsJudge(server.settings(3));
      assertEquals(new Judgement(8, 6), judge.judge(REQUEST));
      assertEquals("openai:gpt-4-0314", judge.id());

      assertEquals(1, server.seen.size());
      FakeChatServer.Seen seen = server.seen.get(0);
      assertEquals("Bearer " + FakeChatServer.KEY, seen.authorization());
      assertEquals("gpt-4-0314", seen.body().get("model").asText());
      assertEquals(0.2, seen.body().get("temperature").asDouble());
      assertEquals("system", seen.body().at("/messages/0/role").asText());
      String content = seen.body().at("/messages/1/content").asText();
      assertTrue(content.startsWith("[Context]\na red circle at the top left\n\n[Question]\nDescribe the image in detail."));
      assertTrue(content.contains("[Assistant 1]\na red circle at the top left\n\n[End of Assistant 1]"), "reference first");
      assertTrue(content.contains("[Assistant 2]\na red circle\n\n[End of Assistant 2]"), "model second");
    }
  }

  @Test
  void retriesAfterServerErrorsAndRateLimits() throws Exception {
    try (FakeChatServer server = new FakeChatServer(
        Reply.status(500, "{\"error\": \"overloaded\"}"),
        new Reply(429, "{\"error\": \"slow down\"}", Map.of("Retry-After", "0")),
        Reply.status(503, "unavailable"),
        Reply.review("9, 7"))) {
      assertEquals(new Judgement(9, 7), new ChatCompletionsJudge(server.settings(4)).judge(REQUEST));
      assertEquals(4, server.seen.size());
    }
  }

  @Test
  void givesUpAfterTheLastAttemptAndSaysWhy() throws Exception {
    try (FakeChatServer server = new FakeChatServer(Reply.status(502, "bad gateway"))) {
      JudgeException e = assertThrows(JudgeException.class, () -> new ChatCompletionsJudge(server.settings(3)).judge(REQUEST));
      assertEquals(3, server.seen.size());
      assertTrue(e.retryable(), "a flaky endpoint is worth a later retry");
      assertTrue(e.getMessage().contains("after 3 attempts; last: HTTP 502 bad gateway"), e.getMessage());
    }
  }

  @Test
  void malformedRepliesAreRetriedThenAClearError() throws Exception {
    try (FakeChatServer server = new FakeChatServer(Reply.review("Assistant 1 is better.\n8 7"),
        Reply.review("Scores: 8/10 and 7/10"))) {
      JudgeException e = assertThrows(JudgeException.class, () -> new ChatCompletionsJudge(server.settings(3)).judge(REQUEST));
      assertEquals(3, server.seen.size());
      assertFalse(e.retryable(), "a judge that never answers in the format needs a person");
      assertTrue(e.getMessage().contains("reply without two scores on its first line: 'Scores: 8/10 and 7/10'"), e.getMessage());
    }
    try (FakeChatServer server = new FakeChatServer(Reply.review("no scores"), Reply.review("7 3\nfine"))) {
      assertEquals(new Judgement(7, 3), new ChatCompletionsJudge(server.settings(3)).judge(REQUEST));
    }
  }

  @Test
  void aRefusedKeyFailsAtOnceWithoutTheKey() throws Exception {
    try (FakeChatServer server = new FakeChatServer(
        Reply.status(401, "{\"error\": \"Incorrect API key provided: " + FakeChatServer.KEY + "\"}"))) {
      JudgeException e = assertThrows(JudgeException.class, () -> new ChatCompletionsJudge(server.settings(5)).judge(REQUEST));
      assertEquals(1, server.seen.size(), "no retry for 4xx");
      assertFalse(e.retryable());
      assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains(JudgeSettings.API_KEY), e.getMessage());
      assertFalse(e.getMessage().contains(FakeChatServer.KEY), "the key never shows");
      assertFalse(server.settings(5).toString().contains(FakeChatServer.KEY));
    }
  }

  @Test
  void readsTheFirstLineAsLlavaDoes() {
    assertEquals(Optional.of(new Judgement(8, 7)), ReviewPrompt.parse("8 7\nBecause..."));
    assertEquals(Optional.of(new Judgement(8.5, 7)), ReviewPrompt.parse("  8.5, 7 \n"));
    assertEquals(Optional.empty(), ReviewPrompt.parse("8 7 6"));
    assertEquals(Optional.empty(), ReviewPrompt.parse("eight seven"));
    assertEquals(Optional.empty(), ReviewPrompt.parse("80 70"));
    assertEquals(Optional.empty(), ReviewPrompt.parse(""));
  }

  @Test
  void settingsComeFromTheEnvironmentAndNeedAModel() {
    JudgeSettings s = JudgeSettings.fromEnvironment(Map.of(JudgeSettings.MODEL, "env-model"), "spec-model");
    assertEquals("spec-model", s.model(), "the spec's model wins");
    assertEquals(JudgeSettings.DEFAULT_BASE_URL, s.baseUrl().toString());
    assertEquals("", s.apiKey());
    assertEquals("env-model", JudgeSettings.fromEnvironment(Map.of(JudgeSettings.MODEL, "env-model"), "").model());
    assertEquals("http://judge:8000/v1", JudgeSettings.fromEnvironment(
        Map.of(JudgeSettings.BASE_URL, "http://judge:8000/v1/"), "m").baseUrl().toString());
    JudgeException e = assertThrows(JudgeException.class, () -> JudgeSettings.fromEnvironment(Map.of(), ""));
    assertFalse(e.retryable());
    assertTrue(e.getMessage().contains("eval.judgeModel") && e.getMessage().contains(JudgeSettings.MODEL));
  }
}
