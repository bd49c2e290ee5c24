package io.llavascale.infra.config;

import io.grpc.Metadata;
import io.llavascale.infra.codec.AesGcmPayloadCodec;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

/** Temporal connections for a {@link StackConfig}: plain, mTLS, or Temporal Cloud API key. */
public final class TemporalConnections {
  private static final Metadata.Key<String> NAMESPACE_HEADER =
      Metadata.Key.of("temporal-namespace", Metadata.ASCII_STRING_MARSHALLER);

  private TemporalConnections() {}

  public static WorkflowServiceStubsOptions stubsOptions(StackConfig config) {
    if (config.temporalAddress() == null) {
      throw new IllegalStateException(
          "no Temporal address: set "
              + StackConfig.ENV_TEMPORAL_ADDRESS
              + " or start/discover the embedded stack first");
    }
    WorkflowServiceStubsOptions.Builder b =
        WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporalAddress());
    if (config.usesMtls()) {
      try (InputStream cert = Files.newInputStream(config.temporalTlsCert());
          InputStream key = Files.newInputStream(config.temporalTlsKey())) {
        b.setSslContext(SimpleSslContextBuilder.forPKCS8(cert, key).build());
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot load Temporal mTLS cert/key ("
                + config.temporalTlsCert()
                + ", "
                + config.temporalTlsKey()
                + ")",
            e);
      }
    }
    if (config.usesApiKey()) {
      String apiKey = config.temporalApiKey();
      if (!config.usesMtls()) {
        b.setEnableHttps(true);
      }
      b.addApiKey(() -> apiKey);
      // Temporal Cloud routes API-key calls by this header.
      Metadata headers = new Metadata();
      headers.put(NAMESPACE_HEADER, config.temporalNamespace());
      b.setHeaders(headers);
    }
    return b.build();
  }

  /** Service stubs (connect lazily); the caller shuts them down. */
  public static WorkflowServiceStubs serviceStubs(StackConfig config) {
    return WorkflowServiceStubs.newServiceStubs(stubsOptions(config));
  }

  /** A client in the config's namespace; with payload keys, every payload it and its workers send is encrypted. */
  public static WorkflowClient client(WorkflowServiceStubs stubs, StackConfig config) {
    WorkflowClientOptions.Builder b = WorkflowClientOptions.newBuilder().setNamespace(config.temporalNamespace());
    if (config.payloadKeys() != null) {
      // failure messages too: they can quote spec fields
      b.setDataConverter(new CodecDataConverter(DefaultDataConverter.newDefaultInstance(),
          List.of(new AesGcmPayloadCodec(config.payloadKeys())), true));
    }
    return WorkflowClient.newInstance(stubs, b.build());
  }

  /** Stubs and client in one go; close via {@code client.getWorkflowServiceStubs().shutdown()}. */
  public static WorkflowClient client(StackConfig config) {
    return client(serviceStubs(config), config);
  }
}
