package io.llavascale.infra.temporal;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.llavascale.infra.logging.QuietLogging;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java Temporal test server in real time (no time skipping), listening on 127.0.0.1 only.
 *
 * <p>{@code TestServer.createPortBoundServer} binds every interface, so we assemble the gRPC
 * server ourselves from the test server's services. State is in memory: it is lost on close.
 * There are no Schedules and no ListWorkflowExecutions. Workers must disable sticky execution.
 */
public final class EmbeddedTemporal implements AutoCloseable {
  public static final int DEFAULT_PORT = 7233;
  public static final String NAMESPACE = "default";

  /**
   * The pipeline's custom search attributes, by name. The typed keys live in the workflows module
   * ({@code io.llavascale.workflows.pipeline.SearchAttributesKeys}); the server only needs names
   * and types, so they are registered on every start.
   */
  public static final Map<String, IndexedValueType> PIPELINE_SEARCH_ATTRIBUTES;

  static {
    Map<String, IndexedValueType> m = new LinkedHashMap<>();
    m.put("LlavaModelSize", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    m.put("LlavaTuning", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    m.put("LlavaResolution", IndexedValueType.INDEXED_VALUE_TYPE_INT);
    m.put("LlavaStage", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    PIPELINE_SEARCH_ATTRIBUTES = Collections.unmodifiableMap(m);
  }

  private static final Logger log = LoggerFactory.getLogger(EmbeddedTemporal.class);

  private final TestServicesStarter services;
  private final Server server;
  private volatile boolean closed;

  private EmbeddedTemporal(TestServicesStarter services, Server server) {
    this.services = services;
    this.server = server;
  }

  /** Starts on {@code port} (0 picks a free one) and registers the pipeline search attributes. */
  public static EmbeddedTemporal start(int port) {
    return start(port, PIPELINE_SEARCH_ATTRIBUTES);
  }

  public static EmbeddedTemporal start(int port, Map<String, IndexedValueType> searchAttributes) {
    QuietLogging.apply();
    // lockTimeSkipping=true: the clock runs in real time; initialTime 0 = now.
    TestServicesStarter services = new TestServicesStarter(true, 0);
    Server server;
    try {
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
              InsecureServerCredentials.create());
      GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
      server = builder.build().start();
    } catch (IOException e) {
      services.close();
      throw new UncheckedIOException(
          "cannot start embedded Temporal on 127.0.0.1:" + port + " (port in use?)", e);
    }
    EmbeddedTemporal temporal = new EmbeddedTemporal(services, server);
    try {
      temporal.registerSearchAttributes(searchAttributes);
    } catch (RuntimeException e) {
      temporal.close();
      throw e;
    }
    log.info("embedded Temporal on {} (in memory, real time)", temporal.address());
    return temporal;
  }

  /** Adds custom search attributes (idempotent: already registered names are skipped). */
  public void registerSearchAttributes(Map<String, IndexedValueType> attributes) {
    if (attributes.isEmpty()) {
      return;
    }
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            io.temporal.serviceclient.WorkflowServiceStubsOptions.newBuilder()
                .setTarget(address())
                .build());
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(stubs.getRawChannel())
                .validateAndBuildWithDefaults());
    try {
      for (Map.Entry<String, IndexedValueType> e : attributes.entrySet()) {
        try {
          operator
              .blockingStub()
              .addSearchAttributes(
                  AddSearchAttributesRequest.newBuilder()
                      .setNamespace(NAMESPACE)
                      .putSearchAttributes(e.getKey(), e.getValue())
                      .build());
        } catch (StatusRuntimeException alreadyThere) {
          if (alreadyThere.getStatus().getCode() != io.grpc.Status.Code.ALREADY_EXISTS) {
            throw alreadyThere;
          }
        }
      }
    } finally {
      operator.shutdownNow();
      stubs.shutdownNow();
      stubs.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  public int port() {
    return server.getPort();
  }

  /** host:port for WorkflowServiceStubsOptions.setTarget. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      services.close();
    }
  }

  @Override
  public String toString() {
    return "EmbeddedTemporal[" + (closed ? "closed" : address()) + "]";
  }
}
