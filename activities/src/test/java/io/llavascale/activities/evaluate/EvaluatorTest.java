package io.llavascale.activities.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.dataprep.DataPrepper;
import io.llavascale.activities.dataprep.synthetic.SyntheticBenchmarks;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset;
import io.llavascale.activities.evaluate.judge.FakeChatServer;
import io.llavascale.activities.evaluate.judge.JudgeException;
import io.llavascale.activities.evaluate.judge.JudgeFactory;
import io.llavascale.activities.lifecycle.StageContext;
import io.llavascale.activities.lifecycle.TrainingHeartbeat;
import io.llavascale.activities.testing.LocalFolderObjectStore;
import io.llavascale.activities.train.TinyModels;
import io.llavascale.model.checkpoint.ModelFiles;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.workflows.spec.CheckpointSpec;
import io.llavascale.workflows.spec.ComputeSpec;
import io.llavascale.workflows.spec.DataSpec;
import io.llavascale.workflows.spec.EvalSpec;
import io.llavascale.workflows.spec.ModelSpec;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.StageSpec;
import io.llavascale.workflows.spec.TuningSpec;
import io.llavascale.workflows.stages.EvalRequest;
import io.llavascale.workflows.stages.EvalResult;
import io.llavascale.workflows.stages.PreparedData;
import io.llavascale.workflows.stages.StageProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evaluate end to end on prepared synthetic data and an untrained model: what it reports and writes. */
class EvaluatorTest {
  static final String BUCKET = "llava-test";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  LocalFolderObjectStore store;

  @BeforeEach
  void data() throws Exception {
    store = new LocalFolderObjectStore(Files.createDirectories(dir.resolve("bucket")), BUCKET);
    SyntheticDataset.write(dir.resolve("raw"), SyntheticDataset.Options.of(11, 24, 24, 0, 6));
    store.uploadFolder(dir.resolve("raw"), "data/");
  }

  static RunSpec spec(List<String> benchmarks, String judge, int beams) {
    String d = "s3://" + BUCKET + "/data/";
    DataSpec data = new DataSpec(d + "stage1.json", d + "stage2.json", d + "images", d + SyntheticDataset.EVAL,
        d + SyntheticBenchmarks.MMBENCH, d + SyntheticBenchmarks.LLAVA_BENCH, d + SyntheticBenchmarks.MMLU, "", 0, 0.1);
    StageSpec stage = new StageSpec(1e-3, 0.1, "cosine", 0, 8, 1, 4, 128);
    return new RunSpec("", 5, new ModelSpec("tiny", 224, "tiny-lm", "tiny-vision", 32, 1, 2),
        new TuningSpec("full", 0, 0, 0, List.of()), data, stage, stage, new CheckpointSpec(5, 2),
        new EvalSpec(beams, 4, benchmarks, judge, ""), new ComputeSpec("jvm", "local", 1, 1), "");
  }

  /** Prepares the run's data and puts an untrained model where a stage-2 output would be. */
  EvalRequest request(String runId, RunSpec spec) throws Exception {
    PreparedData data = new DataPrepper(store).prepare(runId, spec, DataPrepper.Progress.NONE).data();
    Path folder = dir.resolve("model-" + runId);
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelFiles.save(TinyLlava.create(TinyModels.config(spec, data.vocabSize()), 3, manager), folder);
    }
    store.uploadFolder(folder, "models/" + runId + "/");
    return new EvalRequest(runId, spec, data, "s3://" + BUCKET + "/models/" + runId + "/");
  }

  @Test
  void runsEveryConfiguredBenchmarkAndReportsIt() throws Exception {
    RunSpec spec = spec(EvalSpec.BENCHMARKS, EvalSpec.OFFLINE_JUDGE, 2);
    Progress progress = new Progress();
    EvalResult r = evaluator(Map.of()).evaluate(request("run", spec), progress);

    assertEquals(2, r.beams());
    assertTrue(r.questions() > 0);
    assertEquals(3, r.mmbench().questions());
    assertTrue(r.mmbench().circular());
    List<JsonNode> mmbench = lines("run", "mmbench");
    long options = mmbench.stream().mapToLong(l -> l.at("/metadata/rotations").size()).sum();
    assertEquals(options, r.mmbench().askings(), "one asking per option: every rotation");
    assertTrue(r.mmbench().accuracy() <= r.mmbench().firstPass(), "circular is never kinder than one pass");
    for (JsonNode line : mmbench) {
      boolean allRight = true;
      List<String> rotations = new ArrayList<>();
      line.at("/metadata/rotations").forEach(n -> rotations.add(n.asText()));
      int n = rotations.size();
      int answer = line.at("/metadata/reference").asText().charAt(0) - 'A';
      for (int shift = 0; shift < n; shift++) {
        allRight &= rotations.get(shift).charAt(0) - 'A' == (answer - shift + n) % n;
      }
      assertEquals(allRight, line.at("/metadata/correct").asBoolean(), line.toString());
    }

    assertEquals(3, r.mmlu().questions());
    assertEquals(3, r.mmlu().askings(), "mmlu asks once");
    assertEquals(r.mmlu().accuracy(), r.mmlu().firstPass());

    assertEquals(3, r.llavaBench().questions());
    assertEquals("offline-f1", r.llavaBench().judge());
    assertEquals(10.0, r.llavaBench().referenceMean(), 1e-9, "the offline judge gives the reference full marks");
    assertEquals(10 * r.llavaBench().modelMean(), r.llavaBench().relative(), 1e-9);
    assertEquals(List.of("complex", "conv", "detail"), List.copyOf(r.llavaBench().perCategory().keySet()));
    assertEquals(3, lines("run", "llava-bench").size());

    JsonNode report = JSON.readTree(store.getBytes("runs/run/eval/output/report.json"));
    assertEquals(r.exactMatch(), report.get("exactMatch").asDouble());
    assertEquals(r.mmbench().accuracy(), report.at("/mmbench/circularEval/accuracy").asDouble());
    assertEquals(r.mmlu().accuracy(), report.at("/mmlu/firstPass/accuracy").asDouble());
    assertEquals(r.llavaBench().relative(), report.at("/llavaBench/relative").asDouble(), 1e-12);
    assertEquals(r.llavaBench().perCategory().get("conv"), report.at("/llavaBench/perCategory/conv/relative").asDouble(), 1e-12);
    assertEquals(r.questions() + 9, progress.last.step(), "progress counts every question");
    assertEquals(progress.last.step(), progress.last.totalSteps());
  }

  @Test
  void withoutBenchmarksOnlyExactMatchRuns() throws Exception {
    EvalResult r = evaluator(Map.of()).evaluate(request("plain", spec(List.of(), EvalSpec.OFFLINE_JUDGE, 1)), new Progress());
    assertNull(r.mmbench());
    assertNull(r.llavaBench());
    assertNull(r.mmlu());
    assertTrue(store.list("runs/plain/eval/output/answers-").isEmpty());
  }

  @Test
  void theOpenaiJudgeIsAskedOnceAndARerunReadsTheCache() throws Exception {
    RunSpec spec = spec(List.of(EvalSpec.LLAVA_BENCH), EvalSpec.OPENAI_JUDGE, 1);
    try (FakeChatServer server = new FakeChatServer(FakeChatServer.Reply.review("8 6\nclose enough"))) {
      EvalResult first = evaluator(server.environment()).evaluate(request("first", spec), new Progress());
      assertEquals(3, first.llavaBench().judgeCalls());
      assertEquals(0, first.llavaBench().cached());
      assertEquals(100 * 6 / 8.0, first.llavaBench().relative(), 1e-9);
      assertEquals("openai:gpt-4-0314", first.llavaBench().judge());

      EvalResult rerun = evaluator(server.environment()).evaluate(request("rerun", spec), new Progress());
      assertEquals(0, rerun.llavaBench().judgeCalls());
      assertEquals(3, rerun.llavaBench().cached());
      assertEquals(first.llavaBench().relative(), rerun.llavaBench().relative());
      assertEquals(3, server.requests(), "the rerun cost no judge call");
    }
  }

  @Test
  void anOpenaiJudgeWithoutAModelFailsBeforeGenerating() throws Exception {
    RunSpec spec = spec(List.of(EvalSpec.LLAVA_BENCH), EvalSpec.OPENAI_JUDGE, 1);
    Progress progress = new Progress();
    JudgeException e = assertThrows(JudgeException.class, () -> evaluator(Map.of()).evaluate(request("nomodel", spec), progress));
    assertTrue(e.getMessage().contains("LLAVA_JUDGE_MODEL"), e.getMessage());
    assertNull(progress.last, "nothing was generated");
  }

  private Evaluator evaluator(Map<String, String> environment) {
    return new Evaluator(store, dir.resolve("scratch"), new JudgeFactory(store, environment));
  }

  private List<JsonNode> lines(String runId, String benchmark) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : new String(store.getBytes("runs/" + runId + "/eval/output/" + Evaluator.answers(benchmark))).split("\n")) {
      if (!line.isBlank()) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  static final class Progress implements StageContext {
    StageProgress last;

    @Override
    public void progress(StageProgress progress, long stepsRecomputed) {
      last = progress;
    }

    @Override
    public Optional<TrainingHeartbeat> previousAttempt() {
      return Optional.empty();
    }

    @Override
    public boolean stopRequested() {
      return false;
    }

    @Override
    public String label() {
      return "eval-test";
    }
  }
}
