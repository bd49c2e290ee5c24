package io.llavascale.infra.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.infra.temporal.EmbeddedTemporal;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.converter.DataConverterException;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With a payload key configured, the embedded server's history holds only ciphertext. */
class EncryptedHistoryTest {
  static final String QUEUE = "codec-test";

  @ActivityInterface
  public interface Describe {
    String describe(String spec);
  }

  @WorkflowInterface
  public interface Echo {
    @WorkflowMethod
    String run(String spec);
  }

  public static class EchoImpl implements Echo {
    private final Describe describe = Workflow.newActivityStub(Describe.class,
        ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30)).build());

    @Override
    public String run(String spec) {
      return describe.describe(spec) + " done";
    }
  }

  @Test
  void historyPayloadsAreEncryptedAndOnlyTheKeyHolderReadsTheResult() {
    String key = Base64.getEncoder().encodeToString(AesGcmPayloadCodecTest.key(7));
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      StackConfig config = StackConfig.fromEnv(Map.of(PayloadKeys.ENV_KEY, key, PayloadKeys.ENV_KEY_ID, "test-1"))
          .withTemporal(temporal.address(), EmbeddedTemporal.NAMESPACE);
      WorkflowClient client = TemporalConnections.client(config);
      WorkerFactory factory = WorkerFactory.newInstance(client);
      var worker = factory.newWorker(QUEUE);
      worker.registerWorkflowImplementationTypes(EchoImpl.class);
      worker.registerActivitiesImplementations((Describe) spec -> "stage2 of " + spec);
      factory.start();
      try {
        Echo echo = client.newWorkflowStub(Echo.class,
            WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId("enc-1").build());
        assertEquals("stage2 of s3://secret-bucket/mix.json done", echo.run("s3://secret-bucket/mix.json"));

        List<Payload> payloads = new ArrayList<>();
        for (HistoryEvent e : client.fetchHistory("enc-1").getEvents()) {
          if (e.hasWorkflowExecutionStartedEventAttributes()) {
            payloads.addAll(e.getWorkflowExecutionStartedEventAttributes().getInput().getPayloadsList());
          } else if (e.hasActivityTaskScheduledEventAttributes()) {
            payloads.addAll(e.getActivityTaskScheduledEventAttributes().getInput().getPayloadsList());
          } else if (e.hasActivityTaskCompletedEventAttributes()) {
            payloads.addAll(e.getActivityTaskCompletedEventAttributes().getResult().getPayloadsList());
          } else if (e.hasWorkflowExecutionCompletedEventAttributes()) {
            payloads.addAll(e.getWorkflowExecutionCompletedEventAttributes().getResult().getPayloadsList());
          }
        }
        assertEquals(4, payloads.size(), "input, activity input and result, workflow result");
        for (Payload p : payloads) {
          assertEquals("binary/encrypted", p.getMetadataOrThrow("encoding").toStringUtf8());
          assertEquals("test-1", p.getMetadataOrThrow("encryption-key-id").toStringUtf8());
          assertFalse(p.getData().toStringUtf8().contains("secret-bucket"));
        }

        // a client without the key sees the run but cannot read its result
        WorkflowClient plain = WorkflowClient.newInstance(client.getWorkflowServiceStubs(),
            WorkflowClientOptions.newBuilder().setNamespace(EmbeddedTemporal.NAMESPACE).build());
        Throwable e = assertThrows(RuntimeException.class,
            () -> plain.newUntypedWorkflowStub("enc-1").getResult(String.class));
        while (e.getCause() != null) {
          e = e.getCause();
        }
        assertTrue(e instanceof DataConverterException && e.getMessage().contains("binary/encrypted"), e.toString());
      } finally {
        factory.shutdownNow();
        client.getWorkflowServiceStubs().shutdownNow();
      }
    }
  }
}
