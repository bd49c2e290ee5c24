package io.llavascale.workers.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.infra.temporal.EmbeddedTemporal;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuPoolsTest {
  @TempDir Path tmp;

  /** An executable standing in for nvidia-smi: prints {@code output} and exits with {@code rc}. */
  private Path fakeNvidiaSmi(String output, int rc) throws Exception {
    Path script = tmp.resolve("nvidia-smi");
    Files.writeString(script, "#!/bin/sh\n"
        + "[ \"$1\" = \"--query-gpu=name,memory.total\" ] && [ \"$2\" = \"--format=csv,noheader\" ] || exit 64\n"
        + "cat <<'OUT'\n" + output + "OUT\nexit " + rc + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  @Test
  void discoversGpusWithNvidiaSmiAndMakesOneSlotPerGroup() throws Exception {
    Path smi = fakeNvidiaSmi("NVIDIA H100 80GB HBM3, 81559 MiB\n".repeat(8), 0);
    GpuInventory inv = GpuInventory.discover(null, smi.toString());
    assertEquals(8, inv.count());
    assertEquals("8x NVIDIA H100 80GB HBM3 80GiB", inv.summary());

    assertEquals(8, GpuSlots.plan(inv, 1, null).slots());
    GpuSlots pairs = GpuSlots.plan(inv, 2, null);
    assertEquals(4, pairs.slots());
    assertEquals("8x NVIDIA H100 80GB HBM3 80GiB, 4 slots of 2", pairs.describe());
    GpuSlots triples = GpuSlots.plan(inv, 3, null);
    assertEquals(2, triples.slots());
    assertEquals(2, triples.idleGpus());
    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> GpuSlots.plan(inv, 4, 3));
    assertTrue(tooMany.getMessage().contains("needs 12 GPUs; this node has 8x NVIDIA H100"), tooMany.getMessage());
    IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class, () -> GpuSlots.plan(inv, 16, null));
    assertTrue(tooBig.getMessage().contains("a slot needs 16 GPUs"), tooBig.getMessage());
  }

  @Test
  void brokenDriverFailsMissingNvidiaSmiMeansCpu() throws Exception {
    Path smi = fakeNvidiaSmi("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n", 9);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuInventory.discover(null, smi.toString()));
    assertTrue(e.getMessage().contains("couldn't communicate") && e.getMessage().contains("LLAVA_GPUS"), e.getMessage());

    GpuInventory none = GpuInventory.discover(null, tmp.resolve("absent/nvidia-smi").toString());
    assertEquals(0, none.count());
    GpuSlots cpu = GpuSlots.plan(none, 8, null);
    assertEquals(1, cpu.slots());
    assertEquals("no GPU, 1 slot", cpu.describe());
  }

  @Test
  void configuredGpusSkipDiscovery() {
    GpuInventory inv = GpuInventory.discover("4xA100-SXM4-40GB", "/nonexistent/nvidia-smi");
    assertEquals("4x A100-SXM4-40GB", inv.summary());
    assertEquals(2, GpuSlots.plan(GpuInventory.discover("4", "x"), 2, null).slots());
    assertEquals(0, GpuInventory.discover("none", "x").count());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GpuInventory.discover("lots", "x"));
    assertTrue(e.getMessage().startsWith("LLAVA_GPUS / --gpus must be"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> GpuInventory.fromNvidiaSmi("garbage\n", "nvidia-smi"));
  }

  @ActivityInterface
  public interface Step {
    String step();
  }

  @WorkflowInterface
  public interface OneStep {
    @WorkflowMethod
    String run();
  }

  public static class OneStepImpl implements OneStep {
    @Override
    public String run() {
      return Workflow.newActivityStub(Step.class,
          ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30)).build()).step();
    }
  }

  @Test
  void historyShowsThePoolAndGpusThatRanEachAttempt() throws Exception {
    GpuSlots gpu = GpuSlots.plan(GpuInventory.fromNvidiaSmi("NVIDIA A100-SXM4-80GB, 81920 MiB\n".repeat(8), "test"), 2, null);
    String queue = "llava-gpu-a100x8";
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.address()).build());
      WorkflowClient client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().build());
      WorkerFactory factory = WorkerFactory.newInstance(client);
      var worker = factory.newWorker(queue, WorkerPools.options(queue, gpu.slots(), " " + gpu.describe()));
      worker.registerWorkflowImplementationTypes(OneStepImpl.class);
      worker.registerActivitiesImplementations((Step) () -> "ok");
      factory.start();
      try {
        client.newWorkflowStub(OneStep.class, WorkflowOptions.newBuilder().setTaskQueue(queue).setWorkflowId("gpu-1").build()).run();
        String identity = client.fetchHistory("gpu-1").getEvents().stream()
            .filter(HistoryEvent::hasActivityTaskStartedEventAttributes)
            .map(e -> e.getActivityTaskStartedEventAttributes().getIdentity())
            .findFirst().orElseThrow();
        assertTrue(identity.matches("\\d+@\\S+ llava-gpu-a100x8 8x NVIDIA A100-SXM4-80GB 80GiB, 4 slots of 2"), identity);
      } finally {
        factory.shutdownNow();
        stubs.shutdownNow();
      }
    }
  }
}
