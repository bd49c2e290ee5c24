package io.llavascale.workflows.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RunSpecParserTest {

  static Stream<String> presets() {
    return PresetCatalog.NAMES.stream();
  }

  private static List<String> errors(Map<String, Object> input) {
    return assertThrows(SpecException.class, () -> RunSpecParser.parse(input)).errors();
  }

  private static void assertHas(List<String> errors, String expected) {
    assertTrue(errors.contains(expected), "expected <" + expected + "> in " + errors);
  }

  @ParameterizedTest
  @MethodSource("presets")
  void everyPresetParsesValidatesAndRoundTrips(String name) {
    RunSpec spec = PresetCatalog.spec(name);
    assertEquals(name, spec.preset());
    assertEquals("", spec.resumeFrom());
    assertFalse(PresetCatalog.description(name).isBlank(), name + " needs a description");
    // toMap is a faithful picture: parsing it back gives the same spec.
    assertEquals(spec, RunSpecParser.parse(RunSpecParser.toMap(spec)));
    Map<String, Object> whole = RunSpecParser.toMap(spec);
    whole.put("preset", "");
    RunSpec fromWhole = RunSpecParser.parse(whole);
    assertEquals(spec.model(), fromWhole.model());
    assertEquals("", fromWhole.preset());
    // It crosses Temporal as an activity argument: Temporal's JSON converter must round-trip it.
    var converter = io.temporal.common.converter.DefaultDataConverter.newDefaultInstance();
    assertEquals(spec, converter.fromPayload(converter.toPayload(spec).orElseThrow(), RunSpec.class, RunSpec.class));
    // The name says what the file holds.
    assertTrue(name.contains(spec.tuning().method()), name);
    if (!spec.tuning().isFull()) {
      assertEquals(2 * spec.tuning().loraRank(), spec.tuning().loraAlpha(), "alpha = 2 x rank");
    }
    assertEquals(name.endsWith("-mix"), spec.data().mixRatio() > 0);
    if (name.startsWith("llava-")) {
      assertTrue(name.startsWith("llava-" + spec.model().size() + "-"), name);
      assertTrue(name.contains("-" + spec.model().resolution()), name);
      if (!spec.tuning().isFull()) {
        assertTrue(name.contains("-r" + spec.tuning().loraRank() + "-"), name);
      }
    } else {
      assertEquals("tiny", spec.model().size());
      assertEquals(name.contains("336") ? 336 : 224, spec.model().resolution());
    }
  }

  @Test
  void everyPresetFileIsListedAndEveryListedPresetHasAFile() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("src/main/resources/presets"))) {
      var onDisk =
          files.map(p -> p.getFileName().toString().replaceFirst("\\.yaml$", ""))
              .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(new TreeSet<>(PresetCatalog.NAMES), onDisk);
    }
    assertTrue(PresetCatalog.NAMES.contains(PresetCatalog.DEFAULT));
  }

  @Test
  void paperHyperparametersAreExact() {
    for (String name : PresetCatalog.NAMES) {
      if (!name.startsWith("llava-")) {
        continue;
      }
      RunSpec s = PresetCatalog.spec(name);
      StageSpec st1 = s.stage1();
      assertEquals(1e-4, st1.learningRate(), name);
      assertEquals(0.03, st1.warmupRatio(), name);
      assertEquals(0.0, st1.weightDecay(), name);
      assertEquals(1, st1.epochs(), name);
      assertEquals(2048, st1.maxLength(), name);
      StageSpec st2 = s.stage2();
      assertEquals(1, st2.epochs(), name);
      assertEquals(2048, st2.maxLength(), name);
      assertEquals(0.03, st2.warmupRatio(), name);
      if (s.tuning().isFull()) {
        assertEquals(2e-5, st2.learningRate(), name);
        assertEquals(512, st2.batchSize(), name);
        assertEquals(4, s.compute().nodes(), name);
      } else {
        assertEquals(1e-4, st2.learningRate(), name);
        assertEquals(64, st2.batchSize(), name);
        assertEquals(s.model().size().equals("65b") ? 2 : 1, s.compute().nodes(), name);
      }
      assertEquals(8, s.compute().gpusPerNode(), name);
      assertEquals(ComputeSpec.EXTERNAL, s.compute().backend(), name);
      assertEquals(
          s.model().resolution() == 336 ? RunSpecParser.CLIP_336 : RunSpecParser.CLIP_224,
          s.model().vision(),
          name);
    }
    assertEquals("lmsys/vicuna-33b-v1.3", PresetCatalog.spec("llava-33b-full-336").model().llm());
    assertEquals(6656, PresetCatalog.spec("llava-33b-full-336").model().hidden());
    assertEquals(8192, PresetCatalog.spec("llava-65b-full-336").model().hidden());
    assertEquals("meta-llama/Llama-2-70b-chat-hf", PresetCatalog.spec("llava-70b-full-336").model().llm());
    TuningSpec r8 = PresetCatalog.spec("llava-33b-lora-r8-336").tuning();
    assertEquals(8, r8.loraRank());
    assertEquals(16, r8.loraAlpha());
    TuningSpec q = PresetCatalog.spec("llava-33b-qlora-r64-336").tuning();
    assertEquals("qlora", q.method());
    assertEquals(64, q.loraRank());
    assertEquals(128, q.loraAlpha());
  }

  @Test
  void tinyFullIsTheDemoDefault() {
    RunSpec s = PresetCatalog.spec("tiny-full");
    assertEquals("full", s.tuning().method());
    assertEquals(224, s.model().resolution());
    assertEquals(128, s.model().hidden());
    assertEquals(2, s.model().layers());
    assertEquals(4, s.model().heads());
    assertEquals("s3://llava-runs/datasets/demo/stage1.json", s.data().stage1());
    assertEquals("s3://llava-runs/datasets/demo/stage2.json", s.data().stage2());
    assertEquals("s3://llava-runs/datasets/demo/images/", s.data().images());
    assertEquals("s3://llava-runs/datasets/demo/eval/questions.jsonl", s.data().eval());
    assertEquals("", s.data().sharegpt());
    assertEquals(new CheckpointSpec(50, 2), s.checkpoint());
    assertEquals(new EvalSpec(1, 32, List.of("mmbench", "llava-bench", "mmlu"), "offline", ""), s.eval());
    assertEquals("s3://llava-runs/datasets/demo/eval/mmbench.jsonl", s.data().mmbench());
    assertEquals("s3://llava-runs/datasets/demo/eval/llava_bench.jsonl", s.data().benchmark("llava-bench"));
    assertEquals("s3://llava-runs/datasets/demo/eval/mmlu.jsonl", s.data().mmlu());
    assertEquals(new ComputeSpec("jvm", "local", 1, 1), s.compute());
    assertEquals(16, s.stage1().batchSize());
    assertEquals("s3://llava-runs/datasets/demo/sharegpt.json", PresetCatalog.spec("tiny-full-mix").data().sharegpt());
    assertEquals(336, PresetCatalog.spec("tiny-full-336").model().resolution());
  }

  /** Table 3a in miniature: the three study presets differ only in resolution and the mix. */
  @Test
  void tinyResolutionStudyIsAControlledComparison() {
    RunSpec r224 = PresetCatalog.spec("tiny-full-224");
    RunSpec r336 = PresetCatalog.spec("tiny-full-336");
    RunSpec mix = PresetCatalog.spec("tiny-full-336-mix");
    assertEquals(224, r224.model().resolution());
    assertEquals(336, r336.model().resolution());
    assertEquals("s3://llava-runs/datasets/detail/stage2.json", r224.data().stage2());
    assertEquals(r224.data(), r336.data());
    assertEquals("s3://llava-runs/datasets/detail/sharegpt.json", mix.data().sharegpt());
    assertEquals(0.25, mix.data().mixRatio());
    assertEquals(new ModelSpec("tiny", 336, r224.model().llm(), r224.model().vision(),
        r224.model().hidden(), r224.model().layers(), r224.model().heads()), r336.model());
    assertEquals(r336.model(), mix.model());
    for (RunSpec s : List.of(r336, mix)) {
      assertEquals(r224.seed(), s.seed());
      assertEquals(r224.tuning(), s.tuning());
      assertEquals(r224.stage1(), s.stage1());
      assertEquals(r224.stage2(), s.stage2());
      assertEquals(r224.eval(), s.eval());
      assertEquals(r224.compute(), s.compute());
    }
    // The demo keeps its own data; only the study presets read the detail set.
    assertEquals("s3://llava-runs/datasets/demo/stage2.json",
        PresetCatalog.spec("tiny-full").data().stage2());
    assertEquals(r224.model(), PresetCatalog.spec("tiny-full").model());
  }

  @Test
  void tinyAdapterPresetsAreTinyFullWithRank8Adapters() {
    RunSpec full = PresetCatalog.spec("tiny-full");
    for (String name : List.of("tiny-lora", "tiny-qlora")) {
      RunSpec s = PresetCatalog.spec(name);
      TuningSpec t = s.tuning();
      assertEquals(name.substring("tiny-".length()), t.method());
      assertEquals(8, t.loraRank(), name);
      assertEquals(2 * t.loraRank(), t.loraAlpha(), name + ": alpha = 2 x rank");
      assertEquals(List.of("q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj"), t.targetModules(),
          name + ": every linear layer of the tiny LM, which has no gate_proj");
      assertEquals(5 * full.stage2().learningRate(), s.stage2().learningRate(), 1e-12, name);
      assertEquals(full.model(), s.model(), name);
      assertEquals(full.stage1(), s.stage1(), name);
      assertEquals(full.data(), s.data(), name);
    }
  }

  @Test
  void overridesDeepMergeOntoThePreset() {
    RunSpec s =
        RunSpecParser.parse(
            Map.of(
                "preset", "llava-33b-lora-r64-336",
                "seed", 7,
                "stage2", Map.of("learningRate", 2e-4, "maxSteps", 100),
                "tuning", Map.of("targetModules", List.of("q_proj", "v_proj")),
                "eval", Map.of("beams", 5),
                "resumeFrom", "run-1"));
    assertEquals(7, s.seed());
    assertEquals(2e-4, s.stage2().learningRate());
    assertEquals(100, s.stage2().maxSteps());
    assertEquals(64, s.stage2().batchSize(), "untouched siblings keep the preset's value");
    assertEquals(List.of("q_proj", "v_proj"), s.tuning().targetModules(), "lists replace");
    assertEquals(64, s.tuning().loraRank());
    assertEquals(5, s.eval().beams());
    assertEquals("run-1", s.resumeFrom());
    assertEquals("llava-33b-lora-r64-336", s.preset());
  }

  @Test
  void numbersMayArriveAsStringsOrIntegralDoubles() {
    RunSpec s =
        RunSpecParser.parse(
            Map.of("preset", "tiny-full", "stage1", Map.of("learningRate", "1e-4", "batchSize", 32.0)));
    assertEquals(1e-4, s.stage1().learningRate());
    assertEquals(32, s.stage1().batchSize());
  }

  @Test
  void jsonAndYamlTextParse() {
    RunSpec j = RunSpecParser.parseJson("{\"preset\":\"llava-13b-lora-r64-336\",\"tuning\":{\"loraRank\":4,\"loraAlpha\":8}}");
    assertEquals(4, j.tuning().loraRank());
    RunSpec y = RunSpecParser.parseYaml("preset: tiny-full\nstage2:\n  learningRate: 1e-4\n  epochs: 2\n");
    assertEquals(1e-4, y.stage2().learningRate());
    assertEquals(2, y.stage2().epochs());
    assertHas(
        assertThrows(SpecException.class, () -> RunSpecParser.parseJson("[1,2]")).errors(),
        "a run spec must be a JSON object, got a list");
    assertTrue(
        assertThrows(SpecException.class, () -> RunSpecParser.parseJson("{oops")).errors().get(0)
            .startsWith("run spec is not valid JSON"));
  }

  @Test
  void unknownFieldsAreNamedWithTheAllowedOnes() {
    List<String> e =
        errors(Map.of("preset", "tiny-full", "stage2", Map.of("learningrat", 1e-4), "gpus", 8));
    assertHas(
        e,
        "unknown field 'stage2.learningrat' (allowed: learningRate, warmupRatio, schedule, weightDecay,"
            + " batchSize, epochs, maxSteps, maxLength); did you mean 'learningRate'?");
    assertTrue(e.stream().anyMatch(x -> x.startsWith("unknown field 'gpus' (allowed: preset, seed, model,")), e.toString());
    assertEquals(2, e.size(), e.toString());
  }

  @Test
  void unknownPresetListsTheKnownOnes() {
    List<String> e = errors(Map.of("preset", "llava-99b"));
    assertEquals(1, e.size());
    assertEquals(
        "unknown preset 'llava-99b' (known presets: " + String.join(", ", PresetCatalog.NAMES) + ")",
        e.get(0));
    assertThrows(SpecException.class, () -> PresetCatalog.load("nope"));
  }

  @Test
  void everyValueErrorIsReportedAtOnce() {
    List<String> e =
        errors(
            Map.of(
                "preset", "tiny-full",
                "model", Map.of("size", "12b", "resolution", 512, "hidden", 65, "vision", ""),
                "tuning", Map.of("method", "foo", "loraDropout", 1.5),
                "data", Map.of("stage1", "/local/path.json", "mixRatio", 0.2, "maxBadFraction", 2),
                "stage1", Map.of("warmupRatio", 1.0, "schedule", "step", "batchSize", 0),
                "stage2", Map.of("learningRate", -0.1, "epochs", 0, "maxSteps", -1, "weightDecay", -0.5),
                "checkpoint", Map.of("everySteps", 0, "keep", 0),
                "eval", Map.of("beams", 0, "maxNewTokens", 0),
                "compute", Map.of("gpuPool", "A100 x8", "gpusPerNode", 0, "nodes", -2),
                "resumeFrom", "runs/abc"));
    assertHas(e, "model.size must be one of tiny, 7b, 13b, 33b, 65b, 70b, got '12b'");
    assertHas(e, "model.resolution must be one of 224, 336, got 512");
    assertHas(e, "model.vision must not be empty");
    assertHas(e, "model.hidden must be a multiple of model.heads, got hidden 65 and heads 4");
    assertHas(e, "tuning.method must be one of full, lora, qlora, got 'foo'");
    assertHas(e, "tuning.loraDropout must be in [0, 1), got 1.5");
    assertHas(e, "data.stage1 must be an s3://bucket/key URI (upload local data first: the CLI does it for the demo), got '/local/path.json'");
    assertHas(e, "data.sharegpt must be set when data.mixRatio is above 0, got mixRatio 0.2");
    assertHas(e, "data.maxBadFraction must be in [0, 1], got 2");
    assertHas(e, "stage1.warmupRatio must be in [0, 1), got 1");
    assertHas(e, "stage1.schedule must be one of cosine, linear, got 'step'");
    assertHas(e, "stage1.batchSize must be > 0, got 0");
    assertHas(e, "stage2.learningRate must be > 0, got -0.1");
    assertHas(e, "stage2.epochs must be > 0, got 0");
    assertHas(e, "stage2.maxSteps must be >= 0, got -1");
    assertHas(e, "stage2.weightDecay must be in [0, 1), got -0.5");
    assertHas(e, "checkpoint.everySteps must be > 0, got 0");
    assertHas(e, "checkpoint.keep must be >= 1, got 0");
    assertHas(e, "eval.beams must be in [1, 64], got 0");
    assertHas(e, "eval.maxNewTokens must be > 0, got 0");
    assertHas(
        e,
        "compute.gpuPool must be lower-case letters, digits and '-' (it names task queue"
            + " llava-gpu-<pool>), got 'A100 x8'");
    assertHas(e, "compute.gpusPerNode must be > 0, got 0");
    assertHas(e, "compute.nodes must be > 0, got -2");
    assertHas(e, "resumeFrom must be a run id (letters, digits and ._:=@+- , no '/'), got 'runs/abc'");
    assertEquals(24, e.size(), String.join("\n", e));
  }

  @Test
  void backendIsCheckedAgainstModelSizeAndGpus() {
    assertHas(errors(Map.of("preset", "tiny-full", "compute", Map.of("backend", "slurm"))),
        "compute.backend must be one of jvm, external, got 'slurm'");
    assertHas(errors(Map.of("preset", "llava-33b-full-336", "compute", Map.of("backend", "jvm"))),
        "compute.backend jvm trains model.size tiny only, got model.size '33b' (use compute.backend"
            + " external: the reference trainer on GPU nodes)");
    assertHas(errors(Map.of("preset", "llava-33b-full-336", "stage2", Map.of("batchSize", 100))),
        "stage2.batchSize must be a multiple of compute.gpusPerNode x compute.nodes (32) for"
            + " compute.backend external (each GPU takes batchSize / GPUs), got 100");
    assertEquals(ComputeSpec.EXTERNAL,
        RunSpecParser.parse(Map.of("preset", "tiny-full", "compute", Map.of("backend", "external")))
            .compute().backend());
  }

  @Test
  void typeErrorsNameTheFieldAndTheValue() {
    List<String> e =
        errors(
            Map.of(
                "preset", "tiny-full",
                "seed", "abc",
                "stage1", Map.of("batchSize", 1.5, "learningRate", true),
                "model", "big",
                "tuning", Map.of("targetModules", "q_proj")));
    assertHas(e, "seed must be an integer, got 'abc'");
    assertHas(e, "stage1.batchSize must be an integer, got 1.5");
    assertHas(e, "stage1.learningRate must be a number, got true");
    assertTrue(e.stream().anyMatch(x -> x.startsWith("model must be an object with fields [size, resolution")), e.toString());
    assertHas(e, "tuning.targetModules must be a list of strings, got 'q_proj'");
  }

  @Test
  void crossFieldRules() {
    assertHas(
        errors(Map.of("preset", "llava-33b-full-336", "model", Map.of("resolution", 224))),
        "model.vision 'openai/clip-vit-large-patch14-336' is not a 224-pixel tower but"
            + " model.resolution is 224 (use 'openai/clip-vit-large-patch14')");
    assertHas(
        errors(Map.of("preset", "llava-13b-lora-r64-336", "tuning", Map.of("loraRank", 0, "targetModules", List.of()))),
        "tuning.loraRank must be in [1, 4096], got 0");
    assertTrue(
        errors(Map.of("preset", "tiny-full", "data", Map.of("sharegpt", "s3://b/sharegpt.json")))
            .get(0).startsWith("data.mixRatio must be > 0 when data.sharegpt is set"));
    // Switching a full preset to LoRA needs rank, alpha and modules: all three are reported.
    List<String> e = errors(Map.of("preset", "tiny-full", "tuning", Map.of("method", "lora")));
    assertHas(e, "tuning.loraRank must be in [1, 4096], got 0");
    assertHas(e, "tuning.loraAlpha must be > 0, got 0");
    assertTrue(e.get(2).startsWith("tuning.targetModules must name at least one module for lora"));
  }

  @Test
  void benchmarksAndJudgeAreCheckedAgainstWhatIsAllowed() {
    List<String> e = errors(Map.of("preset", "tiny-full",
        "data", Map.of("mmlu", "", "mmbench", "mmbench.tsv"),
        "eval", Map.of("benchmarks", List.of("mmlu", "vqav2", "mmlu"), "judge", "gpt4")));
    assertHas(e, "data.mmbench must be an s3://bucket/key URI (upload local data first: the CLI does it for the demo), got 'mmbench.tsv'");
    assertHas(e, "data.mmlu must be set when eval.benchmarks lists mmlu (an s3://bucket/key URI of its questions), or take mmlu out of eval.benchmarks");
    assertHas(e, "eval.benchmarks[1] must be one of mmbench, llava-bench, mmlu, got 'vqav2'");
    assertHas(e, "eval.benchmarks lists 'mmlu' twice");
    assertHas(e, "eval.judge must be one of offline, openai, got 'gpt4'");
    assertEquals(5, e.size(), String.join("\n", e));
    // No benchmarks, no benchmark data needed.
    RunSpec none = RunSpecParser.parse(Map.of("preset", "tiny-full", "eval", Map.of("benchmarks", List.of()),
        "data", Map.of("mmbench", "", "llavaBench", "", "mmlu", "")));
    assertEquals(List.of(), none.eval().benchmarks());
  }

  @Test
  void specsWrittenBeforeTheBenchmarksExistedStillParse() {
    Map<String, Object> old = RunSpecParser.toMap(PresetCatalog.spec("tiny-full"));
    old.put("preset", "");
    for (String field : List.of("mmbench", "llavaBench", "mmlu")) {
      ((Map<?, ?>) old.get("data")).remove(field);
    }
    for (String field : List.of("benchmarks", "judge", "judgeModel")) {
      ((Map<?, ?>) old.get("eval")).remove(field);
    }
    RunSpec s = RunSpecParser.parse(old);
    assertEquals(new EvalSpec(1, 32, List.of(), "offline", ""), s.eval());
    assertEquals("", s.data().mmbench());
  }

  @Test
  void wholeSpecWithoutPresetMustBeComplete() {
    List<String> e = errors(Map.of("seed", 1, "model", Map.of("size", "tiny")));
    assertHas(e, "missing field 'model.resolution'");
    assertHas(e, "missing field 'tuning'");
    assertTrue(e.get(e.size() - 1).startsWith("no preset given, so the input must be a whole spec"));
    assertFalse(e.contains("missing field 'resumeFrom'"), "resumeFrom is optional");
    assertTrue(errors(null).contains("missing field 'model'"));
  }

  @Test
  void nullValuesAreRejected() {
    java.util.HashMap<String, Object> stage = new java.util.HashMap<>();
    stage.put("learningRate", null);
    assertHas(errors(Map.of("preset", "tiny-full", "stage1", stage)), "stage1.learningRate must not be null");
  }
}
