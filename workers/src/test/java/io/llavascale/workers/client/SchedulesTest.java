package io.llavascale.workers.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.llavascale.infra.temporal.EmbeddedTemporal;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.api.schedule.v1.ScheduleListEntry;
import io.temporal.api.schedule.v1.ScheduleListInfo;
import io.temporal.api.workflowservice.v1.*;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Schedules path against a gRPC-level fake: an in-process server implementing the
 * WorkflowService's schedule methods records every request, so the test sees exactly what a real
 * server would receive.
 */
class SchedulesTest {
  private final List<Object> requests = new CopyOnWriteArrayList<>();
  private Server server;
  private ManagedChannel channel;
  private WorkflowServiceStubs stubs;
  private Schedules schedules;

  final class FakeSchedules extends WorkflowServiceGrpc.WorkflowServiceImplBase {
    private volatile CreateScheduleRequest created;

    @Override
    public void getSystemInfo(GetSystemInfoRequest r, StreamObserver<GetSystemInfoResponse> o) {
      o.onNext(GetSystemInfoResponse.getDefaultInstance());
      o.onCompleted();
    }

    @Override
    public void createSchedule(CreateScheduleRequest r, StreamObserver<CreateScheduleResponse> o) {
      requests.add(r);
      created = r;
      o.onNext(CreateScheduleResponse.getDefaultInstance());
      o.onCompleted();
    }

    @Override
    public void listSchedules(ListSchedulesRequest r, StreamObserver<ListSchedulesResponse> o) {
      requests.add(r);
      o.onNext(ListSchedulesResponse.newBuilder().addSchedules(ScheduleListEntry.newBuilder()
          .setScheduleId(created.getScheduleId())
          .setInfo(ScheduleListInfo.newBuilder().setSpec(created.getSchedule().getSpec())
              .setWorkflowType(created.getSchedule().getAction().getStartWorkflow().getWorkflowType())))
          .build());
      o.onCompleted();
    }

    @Override
    public void describeSchedule(DescribeScheduleRequest r, StreamObserver<DescribeScheduleResponse> o) {
      requests.add(r);
      o.onNext(DescribeScheduleResponse.newBuilder().setSchedule(created.getSchedule()).build());
      o.onCompleted();
    }

    @Override
    public void patchSchedule(PatchScheduleRequest r, StreamObserver<PatchScheduleResponse> o) {
      requests.add(r);
      o.onNext(PatchScheduleResponse.getDefaultInstance());
      o.onCompleted();
    }

    @Override
    public void deleteSchedule(DeleteScheduleRequest r, StreamObserver<DeleteScheduleResponse> o) {
      requests.add(r);
      o.onNext(DeleteScheduleResponse.getDefaultInstance());
      o.onCompleted();
    }
  }

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(new FakeSchedules()).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setChannel(channel).build());
    schedules = new Schedules(WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build()));
  }

  @AfterEach
  void stop() {
    stubs.shutdownNow();
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void everyOperationSendsWhatTheServerNeeds() throws Exception {
    Map<String, Object> spec = Map.of("preset", "llava-13b-lora-r64-336");
    schedules.create(new Schedules.Plan("nightly", Schedules.PIPELINE_TYPE, spec, "0 2 * * *", null,
        Schedules.overlap("buffer-one"), Duration.ofMinutes(30), false, "nightly eval"));
    CreateScheduleRequest create = (CreateScheduleRequest) requests.get(0);
    assertEquals("nightly", create.getScheduleId());
    assertEquals("default", create.getNamespace());
    var schedule = create.getSchedule();
    assertTrue(schedule.getSpec().toString().contains("0 2 * * *"), schedule.getSpec().toString());
    var action = schedule.getAction().getStartWorkflow();
    assertEquals("LlavaPipeline", action.getWorkflowType().getName());
    assertEquals("llava-control", action.getTaskQueue().getName());
    assertEquals("nightly", action.getWorkflowId());
    assertEquals(spec, new ObjectMapper().readValue(action.getInput().getPayloads(0).getData().toByteArray(), Map.class));
    assertEquals(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE, schedule.getPolicies().getOverlapPolicy());
    assertEquals(1800, schedule.getPolicies().getCatchupWindow().getSeconds());
    assertEquals("nightly eval", schedule.getState().getNotes());

    assertEquals("nightly", schedules.list().get(0).getScheduleId());
    assertEquals("LlavaPipeline", ((io.temporal.client.schedules.ScheduleActionStartWorkflow)
        schedules.describe("nightly").getSchedule().getAction()).getWorkflowType());
    schedules.pause("nightly", "upgrade");
    schedules.unpause("nightly", "done");
    schedules.trigger("nightly");
    schedules.delete("nightly");
    List<String> patches = requests.stream().filter(r -> r instanceof PatchScheduleRequest)
        .map(r -> ((PatchScheduleRequest) r).getPatch().toString().replaceAll("\\s+", " ").trim()).toList();
    assertEquals(3, patches.size(), patches.toString());
    assertTrue(patches.get(0).contains("pause: \"upgrade\""), patches.get(0));
    assertTrue(patches.get(1).contains("unpause: \"done\""), patches.get(1));
    assertTrue(patches.get(2).contains("trigger_immediately"), patches.get(2));
    assertEquals("nightly", ((DeleteScheduleRequest) requests.get(requests.size() - 1)).getScheduleId());
  }

  @Test
  void studiesRunOnAnInterval() throws Exception {
    Map<String, Object> study = Map.of("name", "tiny-grid");
    schedules.create(new Schedules.Plan("weekly", Schedules.STUDY_TYPE, study, null, Duration.ofDays(7),
        Schedules.overlap("skip"), Duration.ofHours(1), true, ""));
    var schedule = ((CreateScheduleRequest) requests.get(0)).getSchedule();
    assertEquals("ScalingStudy", schedule.getAction().getStartWorkflow().getWorkflowType().getName());
    assertEquals(7 * 24 * 3600, schedule.getSpec().getInterval(0).getInterval().getSeconds());
    assertEquals(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP, schedule.getPolicies().getOverlapPolicy());
    assertTrue(schedule.getState().getPaused());
  }

  @Test
  void theEmbeddedServerHasNoSchedules() {
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      WorkflowServiceStubs real = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.address()).build());
      try {
        Schedules onTestServer = new Schedules(WorkflowClient.newInstance(real));
        RuntimeException e = assertThrows(RuntimeException.class, () -> onTestServer.create(new Schedules.Plan(
            "nightly", Schedules.PIPELINE_TYPE, Map.of("preset", "tiny-full"), "0 2 * * *", null,
            Schedules.overlap("skip"), Duration.ofHours(1), false, "")));
        assertTrue(Schedules.unsupported(e), e.toString());
      } finally {
        real.shutdownNow();
      }
    }
  }
}
