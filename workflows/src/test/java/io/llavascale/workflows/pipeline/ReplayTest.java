package io.llavascale.workflows.pipeline;

import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.api.Test;

/**
 * Replays a history recorded from the happy-path test (src/test/resources/histories) against the
 * current code: a change that would break runs already in flight fails here. Refresh the file from
 * target/histories/happy-path.json (written by LlavaPipelineTest) when the change is intended.
 */
class ReplayTest {
  @Test
  void happyPathHistoryReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/happy-path.json", LlavaPipelineImpl.class);
  }
}
