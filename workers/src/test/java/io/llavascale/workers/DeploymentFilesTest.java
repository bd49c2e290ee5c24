package io.llavascale.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.llavascale.activities.external.ExternalTrainerSettings;
import io.llavascale.activities.store.TransferSettings;
import io.llavascale.infra.codec.CodecServer;
import io.llavascale.infra.codec.PayloadKeys;
import io.llavascale.infra.config.EmbeddedStack;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.config.TemporalConnections;
import io.llavascale.workers.cli.LlavaCli;
import io.llavascale.workers.pool.GpuInventory;
import io.llavascale.workers.pool.GpuSlots;
import io.llavascale.workers.pool.PoolSelection;
import io.llavascale.workflows.stages.TaskQueues;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** infra/k8s, infra/compose and infra/cloud agree with the code: variables, queues, flags, ports, grace. */
class DeploymentFilesTest {
  static final Path INFRA = Path.of("..", "infra").toAbsolutePath().normalize();
  static final YAMLMapper YAML = new YAMLMapper();

  /** Every LLAVA_* variable the code reads. */
  static Set<String> knownVariables() throws IllegalAccessException {
    Set<String> names = new HashSet<>();
    for (Class<?> c : List.of(StackConfig.class, TransferSettings.class, PayloadKeys.class, GpuInventory.class,
        CodecServer.class, EmbeddedStack.class, ExternalTrainerSettings.class)) {
      for (Field f : c.getFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getName().startsWith("ENV_") && f.getType() == String.class) {
          names.add((String) f.get(null));
        }
      }
    }
    return names;
  }

  static List<JsonNode> k8s() throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (Stream<Path> files = Files.list(INFRA.resolve("k8s"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(f.toFile())) {
          it.readAll().stream().filter(n -> !n.isNull()).forEach(docs::add);
        }
      }
    }
    return docs;
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static String flag(List<String> args, String name) {
    int i = args.indexOf(name);
    return i < 0 ? null : args.get(i + 1);
  }

  static Map<String, String> envFile(Path file) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(file)));
    Map<String, String> m = new HashMap<>();
    p.forEach((k, v) -> m.put(k.toString(), v.toString()));
    return m;
  }

  /** The args parse as a real `llava` command line (flags exist, values convert). */
  static void assertValidCli(List<String> args) {
    new CommandLine(new LlavaCli()).parseArgs(args.toArray(String[]::new));
  }

  @Test
  void kubernetesWorkersServeTheCodesQueuesWithEnoughGraceAndGpus() throws Exception {
    Set<String> known = knownVariables();
    Set<String> queues = new HashSet<>();
    int gpuPools = 0;
    for (JsonNode doc : k8s()) {
      String name = doc.path("metadata").path("name").asText();
      doc.path("data").fieldNames().forEachRemaining(k -> assertKnown(known, k, name));
      doc.path("stringData").fieldNames().forEachRemaining(k -> assertKnown(known, k, name));
      if (!doc.path("kind").asText().equals("Deployment")) {
        continue;
      }
      JsonNode pod = doc.path("spec").path("template").path("spec");
      JsonNode container = pod.path("containers").get(0);
      List<String> args = strings(container.path("args"));
      assertValidCli(args);
      container.path("env").forEach(e -> assertKnown(known, e.path("name").asText(), name));
      if (!args.get(0).equals("worker")) {
        continue;
      }
      List<String> served = PoolSelection.parse(flag(args, "--pools")).taskQueues();
      assertEquals(List.of(name), served, name + " is named after the one queue it serves");
      queues.addAll(served);
      long grace = Duration.parse(flag(args, "--grace")).toSeconds();
      assertTrue(pod.path("terminationGracePeriodSeconds").asLong() > grace,
          name + ": the pod must outlive the worker's --grace " + grace + " s");
      JsonNode gpus = container.path("resources").path("limits").path("nvidia.com/gpu");
      if (name.startsWith(TaskQueues.gpu(""))) {
        gpuPools++;
        int count = gpus.asInt();
        assertTrue(count > 0, name + " requests GPUs");
        assertEquals(count, container.path("resources").path("requests").path("nvidia.com/gpu").asInt());
        assertEquals(String.valueOf(count), pod.path("nodeSelector").path("nvidia.com/gpu.count").asText());
        GpuSlots slots = GpuSlots.plan(GpuInventory.discover(String.valueOf(count), "unused"),
            Integer.parseInt(flag(args, "--gpus-per-slot")), null);
        assertEquals(0, slots.idleGpus(), name + ": --gpus-per-slot divides the node's GPUs");
        assertTrue(pod.path("tolerations").findValuesAsText("key").stream().anyMatch(k -> k.contains("spot")),
            name + " tolerates spot nodes");
        // Multi-node gangs: rank 0 listens on the pod IP at the gang port, which the pod exposes.
        Map<String, JsonNode> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
        assertEquals("status.podIP", env.get(ExternalTrainerSettings.ENV_GANG_HOST).path("valueFrom").path("fieldRef")
            .path("fieldPath").asText(), name);
        int gangPort = env.get(ExternalTrainerSettings.ENV_GANG_PORT).path("value").asInt();
        assertTrue(container.path("ports").findValuesAsText("containerPort").contains(String.valueOf(gangPort)), name);
      } else {
        assertTrue(gpus.isMissingNode(), name + " requests no GPU");
      }
    }
    assertTrue(queues.containsAll(List.of(TaskQueues.CONTROL, TaskQueues.CPU)), queues.toString());
    assertTrue(gpuPools >= 1);

    JsonNode codec = k8s().stream().filter(d -> d.path("metadata").path("name").asText().equals("llava-codec-server")
        && d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
    JsonNode container = codec.path("spec").path("template").path("spec").path("containers").get(0);
    int port = Integer.parseInt(flag(strings(container.path("args")), "--port"));
    assertEquals(port, container.path("ports").get(0).path("containerPort").asInt());
    JsonNode service = k8s().stream().filter(d -> d.path("kind").asText().equals("Service")).findFirst().orElseThrow();
    assertEquals(port, service.path("spec").path("ports").get(0).path("targetPort").asInt());
  }

  @Test
  void composeStackPointsTheWorkersAtItsOwnServices() throws Exception {
    Set<String> known = knownVariables();
    JsonNode services = YAML.readTree(INFRA.resolve("compose/docker-compose.yaml").toFile()).path("services");
    Map<String, String> env = envFile(INFRA.resolve("compose/llava.env"));
    env.keySet().stream().filter(k -> k.startsWith("LLAVA_")).forEach(k -> assertKnown(known, k, "llava.env"));

    StackConfig config = StackConfig.fromEnv(env);
    TransferSettings.fromEnv(env);
    assertEquals(env.get("AWS_ACCESS_KEY_ID"), services.path("minio").path("environment").path("MINIO_ROOT_USER").asText());
    URI s3 = config.s3Endpoint();
    assertPublished(services.path(s3.getHost()), s3.getPort());
    String[] temporal = config.temporalAddress().split(":");
    assertPublished(services.path(temporal[0]), Integer.parseInt(temporal[1]));
    assertEquals(config.temporalAddress(), services.path("temporal-ui").path("environment").path("TEMPORAL_ADDRESS").asText());
    assertTrue(services.path("minio-bucket").path("command").get(0).asText().endsWith("local/" + config.s3Bucket()));

    Set<String> queues = new HashSet<>();
    for (var it = services.fields(); it.hasNext(); ) {
      var e = it.next();
      JsonNode svc = e.getValue();
      if (!svc.path("image").asText().startsWith("llava-scale")) {
        continue;
      }
      assertEquals("llava.env", svc.path("env_file").asText(e.getKey().equals("codec-server") ? "llava.env" : ""), e.getKey());
      svc.path("environment").fieldNames().forEachRemaining(k -> assertKnown(known, k, e.getKey()));
      List<String> cmd = strings(svc.path("command"));
      assertValidCli(cmd);
      if (cmd.get(0).equals("worker")) {
        queues.addAll(PoolSelection.parse(flag(cmd, "--pools")).taskQueues());
        long stop = Long.parseLong(svc.path("stop_grace_period").asText().replace("s", ""));
        assertTrue(stop > Duration.parse(flag(cmd, "--grace")).toSeconds(), e.getKey() + " stop_grace_period");
      }
      if (cmd.get(0).equals("codec-server")) {
        assertPublished(svc, Integer.parseInt(flag(cmd, "--port")));
        assertEquals(flag(cmd, "--origin"), services.path("temporal-ui").path("environment").path("TEMPORAL_CORS_ORIGINS").asText());
      }
    }
    assertEquals(Set.of(TaskQueues.CONTROL, TaskQueues.CPU, TaskQueues.gpu("local")), queues);
  }

  @Test
  void temporalCloudExamplesParseIntoWorkingConfigs() throws Exception {
    Set<String> known = knownVariables();
    Map<String, String> apiKey = envFile(INFRA.resolve("cloud/temporal-cloud-api-key.env"));
    apiKey.keySet().forEach(k -> assertKnown(known, k, "temporal-cloud-api-key.env"));
    StackConfig cloud = StackConfig.fromEnv(apiKey);
    assertTrue(cloud.usesApiKey() && !cloud.usesMtls());
    assertTrue(TemporalConnections.stubsOptions(cloud).getEnableHttps(), "an API key turns TLS on");
    assertFalse(cloud.toString().contains(apiKey.get(StackConfig.ENV_TEMPORAL_API_KEY)), "the key is never printed");

    Map<String, String> mtls = envFile(INFRA.resolve("cloud/temporal-cloud-mtls.env"));
    mtls.keySet().forEach(k -> assertKnown(known, k, "temporal-cloud-mtls.env"));
    StackConfig viaMtls = StackConfig.fromEnv(mtls);
    assertTrue(viaMtls.usesMtls() && !viaMtls.usesApiKey());
    // the paths are where the Kubernetes workers mount the llava-temporal-tls secret
    String mount = k8s().stream().filter(d -> d.path("metadata").path("name").asText().equals(TaskQueues.CPU))
        .findFirst().orElseThrow().findValues("mountPath").stream().map(JsonNode::asText)
        .filter(p -> p.contains("tls")).findFirst().orElseThrow();
    assertEquals(Path.of(mount), viaMtls.temporalTlsCert().getParent());
  }

  static void assertKnown(Set<String> known, String name, String where) {
    if (name.startsWith("LLAVA_")) {
      assertTrue(known.contains(name), where + " sets " + name + ", which the code does not read; known: " + known);
    }
  }

  static void assertPublished(JsonNode service, int port) {
    assertTrue(strings(service.path("ports")).stream().anyMatch(p -> p.endsWith(":" + port)),
        service + " publishes port " + port);
  }
}
