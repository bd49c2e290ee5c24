package io.llavascale.activities.evaluate.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.llavascale.activities.evaluate.judge.FakeChatServer.Reply;
import io.llavascale.activities.store.S3TestSupport;
import io.llavascale.model.metrics.JudgeRequest;
import io.llavascale.model.metrics.Judgement;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The judge cache in a real (embedded S3Proxy) bucket. */
class CachedJudgeTest {
  @TempDir static Path dir;
  static S3TestSupport s3;

  @BeforeAll
  static void start() {
    s3 = new S3TestSupport(dir);
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @Test
  void aCachedJudgementCostsNoSecondCall() throws Exception {
    try (FakeChatServer server = new FakeChatServer(Reply.review("8 6"), Reply.review("9 2"))) {
      CachedJudge first = new CachedJudge(new ChatCompletionsJudge(server.settings(2)), s3.store);
      assertEquals(new Judgement(8, 6), first.judge(ChatCompletionsJudgeTest.REQUEST));
      assertEquals(1, server.seen.size());

      // A rerun: a new judge object, the same store.
      CachedJudge rerun = new CachedJudge(new ChatCompletionsJudge(server.settings(2)), s3.store);
      assertEquals(new Judgement(8, 6), rerun.judge(ChatCompletionsJudgeTest.REQUEST));
      assertEquals(1, server.seen.size(), "served from the cache");
      assertEquals(1, rerun.hits());
      assertEquals(0, rerun.calls());

      // Another answer is another judgement.
      JudgeRequest other = new JudgeRequest("detail", ChatCompletionsJudgeTest.REQUEST.context(),
          ChatCompletionsJudgeTest.REQUEST.question(), ChatCompletionsJudgeTest.REQUEST.reference(), "a blue square");
      assertEquals(new Judgement(9, 2), rerun.judge(other));
      assertEquals(2, server.seen.size());
      assertEquals(1, rerun.calls());
    }
  }

  @Test
  void anotherJudgeModelIsAskedAfresh() throws Exception {
    try (FakeChatServer server = new FakeChatServer(Reply.review("7 7"), Reply.review("6 5"))) {
      JudgeRequest request = new JudgeRequest("conv", "", "What color is the circle?", "red", "blue");
      JudgeSettings s = server.settings(2);
      new CachedJudge(new ChatCompletionsJudge(s), s3.store).judge(request);
      JudgeSettings other = new JudgeSettings(s.baseUrl(), "gpt-4o", s.apiKey(), 2, s.initialBackoff(), s.timeout());
      assertEquals(new Judgement(6, 5), new CachedJudge(new ChatCompletionsJudge(other), s3.store).judge(request));
      assertEquals(2, server.seen.size());
    }
  }

  @Test
  void failuresAreNotCached() throws Exception {
    try (FakeChatServer server = new FakeChatServer(Reply.review("no scores"), Reply.review("no scores"),
        Reply.review("5 4"))) {
      JudgeRequest request = new JudgeRequest("complex", "", "What is at the top?", "a red circle", "a circle");
      CachedJudge judge = new CachedJudge(new ChatCompletionsJudge(server.settings(2)), s3.store);
      assertThrows(JudgeException.class, () -> judge.judge(request));
      assertEquals(new Judgement(5, 4), judge.judge(request));
      assertEquals(3, server.seen.size());
    }
  }
}
