package io.llavascale.workflows.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.workflows.spec.PresetCatalog;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.TaskQueues;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * docs/temporal-cli.md: every --input-file exists, every file in docs/temporal-cli/ is used, and
 * each LlavaPipeline input starts a run by type name with exactly that JSON (fake stages).
 */
@Timeout(120)
class TemporalCliDocTest {
  private static final Path DOCS = Path.of("..", "docs");
  // One command: from `temporal workflow start` / `schedule create` to its --input-file.
  private static final Pattern COMMAND =
      Pattern.compile("--type (\\w+)[^`]*?--input-file docs/(temporal-cli/[\\w.-]+\\.json)");

  @Test
  void everyInputFileStartsARunByTypeName() throws Exception {
    String doc = Files.readString(DOCS.resolve("temporal-cli.md")).replace("\\\n", " ");
    Map<String, String> typeByFile = new LinkedHashMap<>();
    Matcher m = COMMAND.matcher(doc);
    while (m.find()) {
      typeByFile.put(m.group(2), m.group(1));
    }
    assertFalse(typeByFile.isEmpty());
    Set<String> files;
    try (Stream<Path> list = Files.list(DOCS.resolve("temporal-cli"))) {
      files = list.map(p -> "temporal-cli/" + p.getFileName()).collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(files, new TreeSet<>(typeByFile.keySet()), "every file referenced, every reference a file");

    PresetCatalog.preload();
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      SearchAttributesKeys.DEFINITIONS.forEach(env::registerSearchAttribute);
      FakeStages fakes = new FakeStages(env::currentTimeMillis);
      env.newWorker(TaskQueues.CONTROL).registerWorkflowImplementationTypes(LlavaPipelineImpl.class);
      env.newWorker(TaskQueues.CPU).registerActivitiesImplementations(fakes.new Cpu());
      for (String pool : new String[] {"local", "a100x8"}) {
        env.newWorker(TaskQueues.gpu(pool)).registerActivitiesImplementations(fakes.new Gpu());
      }
      env.start();
      int n = 0;
      for (Map.Entry<String, String> e : typeByFile.entrySet()) {
        JsonNode json = new ObjectMapper().readTree(DOCS.resolve(e.getKey()).toFile());
        assertTrue(json.isObject(), e.getKey() + " is one JSON object");
        if (!e.getValue().equals(LlavaPipeline.WORKFLOW_TYPE)) {
          continue; // the ScalingStudy input is started by type name in ScalingStudyTest, beside the study doubles
        }
        WorkflowStub run = env.getWorkflowClient().newUntypedWorkflowStub(LlavaPipeline.WORKFLOW_TYPE,
            WorkflowOptions.newBuilder().setWorkflowId("doc-" + n++).setTaskQueue(TaskQueues.CONTROL).build());
        run.start(json);
        PipelineReport report = run.getResult(PipelineReport.class);
        assertEquals(json.get("preset").asText(), report.spec().preset(), e.getKey());
        assertEquals("completed", report.stages().stream()
            .filter(s -> s.stage().equals(StageNames.EVALUATE)).findFirst().orElseThrow().status(), e.getKey());
        String size = run.describe().getTypedSearchAttributes().get(SearchAttributesKeys.MODEL_SIZE);
        assertEquals(report.spec().model().size(), size, e.getKey() + ": search attribute set");
      }
      assertTrue(n >= 3, "the presets' inputs ran");
    }
  }
}
