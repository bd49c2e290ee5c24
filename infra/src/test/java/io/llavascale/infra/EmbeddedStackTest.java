package io.llavascale.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.infra.config.EmbeddedStack;
import io.llavascale.infra.config.S3Clients;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Both servers in one JVM, a real worker and client over 127.0.0.1, and stack.json discovery. */
class EmbeddedStackTest {
  static final String QUEUE = "infra-test";
  static final SearchAttributeKey<String> STAGE = SearchAttributeKey.forKeyword("LlavaStage");
  static final SearchAttributeKey<Long> RESOLUTION = SearchAttributeKey.forLong("LlavaResolution");

  @TempDir Path home;

  @ActivityInterface
  public interface ProbeActivities {
    String slow(String name);

    String store(String key, String body);
  }

  @WorkflowInterface
  public interface ProbeWorkflow {
    @WorkflowMethod
    String run(String name);

    @SignalMethod
    void proceed();

    @QueryMethod
    String state();
  }

  public static class ProbeWorkflowImpl implements ProbeWorkflow {
    private String state = "started";
    private boolean proceed;

    @Override
    public String run(String name) {
      Workflow.upsertTypedSearchAttributes(STAGE.valueSet("align"), RESOLUTION.valueSet(336L));
      ProbeActivities acts =
          Workflow.newActivityStub(
              ProbeActivities.class,
              ActivityOptions.newBuilder()
                  .setStartToCloseTimeout(Duration.ofSeconds(30))
                  .setHeartbeatTimeout(Duration.ofSeconds(10))
                  .build());
      state = "slow";
      String slow = acts.slow(name);
      state = "waiting";
      Workflow.await(() -> proceed);
      state = "storing";
      return acts.store("probe/" + name + ".txt", slow);
    }

    @Override
    public void proceed() {
      proceed = true;
    }

    @Override
    public String state() {
      return state;
    }
  }

  static final class ProbeActivitiesImpl implements ProbeActivities {
    private final S3Client s3;
    private final String bucket;

    ProbeActivitiesImpl(S3Client s3, String bucket) {
      this.s3 = s3;
      this.bucket = bucket;
    }

    @Override
    public String slow(String name) {
      Activity.getExecutionContext().heartbeat("step-7");
      try {
        Thread.sleep(1500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "slow-" + name;
    }

    @Override
    public String store(String key, String body) {
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body, StandardCharsets.UTF_8));
      return "s3://" + bucket + "/" + key;
    }
  }

  @Test
  void stackRoundTripAndDiscovery() throws Exception {
    StackConfig base = StackConfig.fromEnv(java.util.Map.of("LLAVA_HOME", home.toString()));
    assertTrue(base.isEmbedded());
    try (EmbeddedStack stack = EmbeddedStack.start(base, 0, 0)) {
      Path stackFile = EmbeddedStack.stackFile(home);
      String json = Files.readString(stackFile);
      assertFalse(json.contains(stack.s3().credentials().secretAccessKey()), json);

      // another process would do exactly this
      Optional<StackConfig> found = EmbeddedStack.discover(home);
      assertTrue(found.isPresent());
      StackConfig cfg = found.get();
      assertEquals(stack.config().temporalAddress(), cfg.temporalAddress());
      assertEquals(stack.s3().credentials(), cfg.s3Credentials());
      assertEquals(cfg, EmbeddedStack.resolve(base));
      assertFalse(cfg.toString().contains(cfg.s3Credentials().secretAccessKey()));
      EmbeddedS3Test.assertLoopbackOnly(stack.temporal().port());

      WorkflowClient client = TemporalConnections.client(cfg);
      try (S3Client s3 = S3Clients.create(cfg)) {
        WorkerFactory factory = WorkerFactory.newInstance(client);
        Worker worker =
            factory.newWorker(
                QUEUE,
                WorkerOptions.newBuilder()
                    .setStickyQueueScheduleToStartTimeout(Duration.ZERO)
                    .build());
        worker.registerWorkflowImplementationTypes(ProbeWorkflowImpl.class);
        worker.registerActivitiesImplementations(new ProbeActivitiesImpl(s3, cfg.s3Bucket()));
        factory.start();
        try {
          runProbe(client, s3, cfg.s3Bucket());
        } finally {
          factory.shutdownNow();
          factory.awaitTermination(5, TimeUnit.SECONDS);
        }
      } finally {
        client.getWorkflowServiceStubs().shutdownNow();
      }
    }
    assertFalse(Files.exists(EmbeddedStack.stackFile(home)));
    assertTrue(EmbeddedStack.discover(home).isEmpty());
  }

  private void runProbe(WorkflowClient client, S3Client s3, String bucket) throws Exception {
    String id = "probe-run";
    WorkflowOptions opts =
        WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId(id).build();
    ProbeWorkflow wf = client.newWorkflowStub(ProbeWorkflow.class, opts);
    WorkflowExecution exec = WorkflowClient.start(wf::run, "a");

    // DescribeWorkflowExecution: pending activity with its heartbeat details
    String details = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (details == null && System.nanoTime() < deadline) {
      DescribeWorkflowExecutionResponse d = describe(client, exec);
      if (d.getPendingActivitiesCount() > 0 && d.getPendingActivities(0).hasHeartbeatDetails()) {
        details =
            DefaultDataConverter.STANDARD_INSTANCE.fromPayloads(
                0,
                Optional.of(d.getPendingActivities(0).getHeartbeatDetails()),
                String.class,
                String.class);
      } else {
        Thread.sleep(50);
      }
    }
    assertEquals("step-7", details);

    // query, then signal
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!"waiting".equals(wf.state()) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals("waiting", wf.state());
    wf.proceed();
    String uri = WorkflowStub.fromTyped(wf).getResult(20, TimeUnit.SECONDS, String.class);
    assertEquals("s3://" + bucket + "/probe/a.txt", uri);
    assertEquals(
        "slow-a", s3.getObjectAsBytes(b -> b.bucket(bucket).key("probe/a.txt")).asUtf8String());

    // search attributes upserted by the workflow are visible
    DescribeWorkflowExecutionResponse d = describe(client, exec);
    assertTrue(
        d.getWorkflowExecutionInfo().getSearchAttributes().getIndexedFieldsMap().containsKey("LlavaStage"),
        d.getWorkflowExecutionInfo().getSearchAttributes().toString());

    // same workflow id again after the first closed (default reuse policy)
    ProbeWorkflow again = client.newWorkflowStub(ProbeWorkflow.class, opts);
    WorkflowExecution exec2 = WorkflowClient.start(again::run, "b");
    assertFalse(exec.getRunId().equals(exec2.getRunId()));
    again.proceed();
    assertEquals(
        "s3://" + bucket + "/probe/b.txt",
        WorkflowStub.fromTyped(again).getResult(20, TimeUnit.SECONDS, String.class));
  }

  private static DescribeWorkflowExecutionResponse describe(
      WorkflowClient client, WorkflowExecution exec) {
    return client
        .getWorkflowServiceStubs()
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(client.getOptions().getNamespace())
                .setExecution(exec)
                .build());
  }
}
