package io.llavascale.workflows.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.llavascale.workflows.spec.SpecException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StudySpecParserTest {

  @Test
  void shippedMiniStudyPlansOneDataPrepTwoStageOnesFourCells() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> raw = new ObjectMapper(new YAMLFactory()).readValue(Path.of("../studies/mini.yaml").toFile(), Map.class);
    StudyPlan plan = StudySpecParser.plan(StudySpecParser.parse(raw));
    assertEquals("mini", plan.name());
    assertEquals(List.of("data-r224-m0", "align-tiny-r224-m0", "align-tiny-s-r224-m0", "tiny-r224-m0-full-b1",
        "tiny-r224-m0-lora-b1", "tiny-s-r224-m0-full-b1", "tiny-s-r224-m0-lora-b1"),
        plan.runs().stream().map(StudyPlan.Run::name).toList());
    assertEquals(Map.of("local", 2), plan.maxConcurrent());
    assertEquals("stage1", plan.runs().get(1).spec().get("stopAfter"));
    assertEquals(List.of("data-r224-m0", "align-tiny-s-r224-m0"), plan.runs().get(6).dependsOn());
  }

  @Test
  void everyProblemIsNamedWithItsField() {
    Map<String, Object> raw = new LinkedHashMap<>(ScalingStudyTest.study(2));
    raw.put("base", "tiny-huge");
    raw.put("grid", Map.of("sizes", List.of("tiny", "tiny"), "resolutions", List.of(300), "mixes", List.of(1.5),
        "beamz", List.of(1)));
    raw.put("overrides", Map.of("seed", 3));
    SpecException e = assertThrows(SpecException.class, () -> StudySpecParser.parse(raw));
    String all = String.join("\n", e.errors());
    assertTrue(all.contains("base must be one of the presets ("), all);
    assertTrue(all.contains("unknown field 'grid.beamz' (allowed: sizes, resolutions, mixes, tunings, beams)"), all);
    assertTrue(all.contains("grid.sizes lists tiny twice"), all);
    assertTrue(all.contains("grid.resolutions[0] must be one of 224, 336, got 300"), all);
    assertTrue(all.contains("grid.mixes[0] must be a ShareGPT mix ratio in [0, 1) (0 = no mixing), got 1.5"), all);
    assertTrue(all.contains("overrides.seed is set by the study itself"), all);
    assertTrue(e.getMessage().startsWith("invalid study spec"), e.getMessage());
  }

  @Test
  void cellsThatCannotRunAreRefusedByName() {
    Map<String, Object> raw = new LinkedHashMap<>(ScalingStudyTest.study(2));
    raw.put("grid", Map.of("tunings", List.of("full", "lora")));
    SpecException e = assertThrows(SpecException.class, () -> StudySpecParser.plan(StudySpecParser.parse(raw)));
    assertTrue(e.errors().stream().anyMatch(m -> m.startsWith("cell tiny-r224-m0-lora-b1: tuning.loraRank must be in [1, 4096]")),
        e.errors().toString());
  }

  @Test
  void tuningOverridesMayNotChangeTheSharedStageOne() {
    Map<String, Object> raw = new LinkedHashMap<>(ScalingStudyTest.study(2));
    raw.put("grid", Map.of("tunings", List.of("full",
        Map.of("value", "full", "overrides", Map.of("stage1", Map.of("maxSteps", 3))))));
    SpecException dup = assertThrows(SpecException.class, () -> StudySpecParser.plan(StudySpecParser.parse(raw)));
    assertTrue(dup.errors().contains("grid.tunings lists full twice"), dup.errors().toString());
    raw.put("grid", Map.of("tunings", List.of("full", Map.of("value", "qlora", "overrides", Map.of(
        "stage1", Map.of("maxSteps", 3), "tuning", Map.of("loraRank", 8, "loraAlpha", 16, "targetModules", List.of("q_proj")))))));
    SpecException e = assertThrows(SpecException.class, () -> StudySpecParser.plan(StudySpecParser.parse(raw)));
    assertTrue(e.errors().get(0).startsWith("cell tiny-r224-m0-qlora-b1: its model, stage1 or compute.backend differ"),
        e.errors().toString());
  }

  @Test
  void beamWidthsShareTheirTuningsStageTwo() {
    Map<String, Object> raw = new LinkedHashMap<>(ScalingStudyTest.study(2));
    raw.put("grid", Map.of("beams", List.of(1, 5)));
    StudyPlan plan = StudySpecParser.plan(StudySpecParser.parse(raw));
    StudyPlan.Run b1 = plan.runs().get(2);
    StudyPlan.Run b5 = plan.runs().get(3);
    assertEquals("tiny-r224-m0-full-b1", b1.name());
    assertEquals("", b1.stage2From(), "the first beam width trains stage 2");
    assertEquals("tiny-r224-m0-full-b5", b5.name());
    assertEquals("tiny-r224-m0-full-b1", b5.stage2From());
    assertEquals(List.of("data-r224-m0", "align-tiny-r224-m0", "tiny-r224-m0-full-b1"), b5.dependsOn());

    // A beam value whose overrides change stage 2 trains its own.
    raw.put("grid", Map.of("beams", List.of(1, Map.of("value", 5, "overrides", Map.of("stage2", Map.of("maxSteps", 3))))));
    assertEquals("", StudySpecParser.plan(StudySpecParser.parse(raw)).runs().get(3).stage2From());
  }

  @Test
  void shippedPaperGridSharesDataStageOneAndStageTwo() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> raw = new ObjectMapper(new YAMLFactory()).readValue(Path.of("../studies/paper-grid.yaml").toFile(), Map.class);
    StudyPlan plan = StudySpecParser.plan(StudySpecParser.parse(raw));
    Map<String, Long> kinds = plan.runs().stream().collect(
        java.util.stream.Collectors.groupingBy(StudyPlan.Run::kind, java.util.stream.Collectors.counting()));
    assertEquals(Map.of(StudyPlan.DATA, 4L, StudyPlan.ALIGN, 4L, StudyPlan.CELL, 24L), kinds);
    assertEquals(12, plan.runs().stream().filter(r -> r.kind().equals(StudyPlan.CELL) && r.stage2From().isEmpty()).count(),
        "12 stage-2 trainings: beam 5 evaluates beam 1's model");
  }
}
