package io.llavascale.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.infra.config.StackConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsAreEmbedded() {
    StackConfig c = StackConfig.fromEnv(Map.of());
    assertTrue(c.isEmbedded());
    assertEquals("default", c.temporalNamespace());
    assertEquals("llava-runs", c.s3Bucket());
    assertEquals(Path.of("./.llava"), c.home());
    assertNull(c.temporalAddress());
  }

  @Test
  void externalAndSecretsMasked() {
    StackConfig c =
        StackConfig.fromEnv(
            Map.of(
                "LLAVA_TEMPORAL_ADDRESS", "ns.acct.tmprl.cloud:7233",
                "LLAVA_TEMPORAL_NAMESPACE", "ns.acct",
                "LLAVA_TEMPORAL_API_KEY", "super-secret-key",
                "LLAVA_S3_REGION", "eu-west-1",
                "LLAVA_S3_BUCKET", "b1",
                "LLAVA_HOME", "/tmp/h"));
    assertFalse(c.isEmbedded());
    assertFalse(c.s3Embedded());
    assertTrue(c.usesApiKey());
    assertEquals("ns.acct", c.temporalNamespace());
    assertFalse(c.toString().contains("super-secret-key"), c.toString());
    assertNull(c.s3Endpoint());
  }

  @Test
  void apiKeyConnectionOptions() {
    StackConfig c =
        StackConfig.fromEnv(
            Map.of(
                "LLAVA_TEMPORAL_ADDRESS", "ns.acct.tmprl.cloud:7233",
                "LLAVA_TEMPORAL_NAMESPACE", "ns.acct",
                "LLAVA_TEMPORAL_API_KEY", "k"));
    var opts = io.llavascale.infra.config.TemporalConnections.stubsOptions(c);
    assertTrue(opts.getEnableHttps());
    assertEquals("ns.acct.tmprl.cloud:7233", opts.getTarget());
    assertThrows(
        IllegalStateException.class,
        () -> io.llavascale.infra.config.TemporalConnections.stubsOptions(StackConfig.fromEnv(Map.of())));
  }

  @Test
  void fileThenEnvOverrides() throws Exception {
    Path f = dir.resolve("llava.properties");
    Files.writeString(
        f, "LLAVA_S3_ENDPOINT=http://minio:9000\nLLAVA_S3_BUCKET=from-file\nLLAVA_TEMPORAL_NAMESPACE=x\n");
    StackConfig c =
        StackConfig.fromEnv(Map.of("LLAVA_CONFIG", f.toString(), "LLAVA_S3_BUCKET", "from-env"));
    assertEquals(URI.create("http://minio:9000"), c.s3Endpoint());
    assertEquals("from-env", c.s3Bucket());
    assertEquals("x", c.temporalNamespace());
    assertTrue(c.temporalEmbedded());
    assertFalse(c.s3Embedded());
  }

  @Test
  void badValuesNamed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StackConfig.fromEnv(Map.of("LLAVA_S3_ENDPOINT", "minio")));
    assertTrue(e.getMessage().contains("'minio'"));
    assertThrows(
        IllegalArgumentException.class,
        () -> StackConfig.fromEnv(Map.of("LLAVA_TEMPORAL_TLS_CERT", "/c.pem")));
  }
}
