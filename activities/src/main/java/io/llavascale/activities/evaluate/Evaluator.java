package io.llavascale.activities.evaluate;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.dataprep.PreparedDataReader;
import io.llavascale.activities.evaluate.judge.JudgeFactory;
import io.llavascale.activities.lifecycle.LocalFolders;
import io.llavascale.activities.lifecycle.StageContext;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.S3Uri;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.activities.store.StorePaths;
import io.llavascale.activities.train.TrainedModels;
import io.llavascale.model.data.EvalItem;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.metrics.ExactMatch;
import io.llavascale.model.metrics.Judge;
import io.llavascale.model.tokenizer.TextTokenizer;
import io.llavascale.workflows.spec.DataSpec;
import io.llavascale.workflows.spec.EvalSpec;
import io.llavascale.workflows.stages.ChoiceResult;
import io.llavascale.workflows.stages.EvalRequest;
import io.llavascale.workflows.stages.EvalResult;
import io.llavascale.workflows.stages.JudgedResult;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.StageProgress;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluate: exact match on the held-out questions (generated with {@code eval.beams}), overall and
 * per category, then each of {@code eval.benchmarks}: mmbench (multiple choice, circular), llava-bench
 * (judged relative score), mmlu (text-only multiple choice). The model is whatever the run hands
 * it: merged weights, full fine-tuning's weights, or a LoRA / QLoRA adapter folder evaluated
 * unmerged on its base. Writes {@code answers.jsonl} and {@code answers-<benchmark>.jsonl} (model_vqa answer format) and {@code report.json} under
 * {@code runs/<runId>/eval/output/}.
 */
public final class Evaluator {
  public static final String ANSWERS = "answers.jsonl";
  public static final String REPORT = "report.json";

  private static final Logger log = LoggerFactory.getLogger(Evaluator.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectStore store;
  private final Path scratch;
  private final JudgeFactory judges;

  @Inject
  public Evaluator(ObjectStore store, @Named("scratch") Path scratch, JudgeFactory judges) {
    this.store = store;
    this.scratch = scratch;
    this.judges = judges;
  }

  /** {@code answers-<benchmark>.jsonl}. */
  public static String answers(String benchmark) {
    return "answers-" + benchmark + ".jsonl";
  }

  public EvalResult evaluate(EvalRequest request, StageContext context) throws IOException {
    StageOutputs outputs = StageOutputs.forStage(store, request.runId(), StageNames.EVALUATE);
    Optional<EvalResult> committed = outputs.readCommitted(EvalResult.class);
    if (committed.isPresent()) {
      log.info("{}: output already committed at {}; returning it", context.label(), outputs.uri());
      return committed.get();
    }
    long started = System.nanoTime();
    EvalSpec spec = request.spec().eval();
    Path work = LocalFolders.fresh(scratch.resolve(request.runId()).resolve(StageNames.EVALUATE));
    PreparedDataReader data = PreparedDataReader.of(store, request.data());
    List<EvalItem> items = data.evalItems();
    if (items.isEmpty()) {
      throw new IllegalStateException("data prep kept no evaluation questions for run " + request.runId());
    }
    Map<String, List<EvalItem>> benchmarks = new LinkedHashMap<>();
    for (String name : spec.benchmarks()) {
      benchmarks.put(name, data.benchmarkItems(name));
    }
    // Before any generation, so a judge that cannot be set up fails the stage at once.
    Judge judge = benchmarks.containsKey(EvalSpec.LLAVA_BENCH) ? judges.create(spec) : null;
    int total = items.size() + benchmarks.values().stream().mapToInt(List::size).sum();
    int[] done = {0};
    Runnable tick = () -> context.progress(new StageProgress(StageNames.EVALUATE, ++done[0], total, 0, 0, 0, 0, ""), 0);

    String modelId = modelId(request.runId(), request.modelUri());
    ExactMatch score = new ExactMatch();
    ChoiceResult mmbench = null;
    JudgedResult llavaBench = null;
    ChoiceResult mmlu = null;
    Map<String, Object> sections = new LinkedHashMap<>();
    double exactSeconds;
    Path output = Files.createDirectories(work.resolve("output"));
    try (NDManager manager = NDManager.newBaseManager(); TextTokenizer tokenizer = data.tokenizer()) {
      TinyLlava model = TrainedModels.load(store, request.modelUri(), work, manager);
      Answerer answerer = new Answerer(model, tokenizer, spec.beams(), spec.maxNewTokens());
      long exactStarted = System.nanoTime();
      try (AnswerLines answers = new AnswerLines(output.resolve(ANSWERS), modelId)) {
        for (EvalItem item : items) {
          String prediction = answerer.generate(item);
          boolean correct = score.add(item.category(), prediction, item.answer());
          answers.write(item, prediction, Map.of("category", item.category(), "reference", item.answer(), "correct", correct));
          tick.run();
        }
      }
      exactSeconds = seconds(exactStarted);
      for (Map.Entry<String, List<EvalItem>> b : benchmarks.entrySet()) {
        long benchmarkStarted = System.nanoTime();
        Map<String, Object> section;
        try (AnswerLines answers = new AnswerLines(output.resolve(answers(b.getKey())), modelId)) {
          switch (b.getKey()) {
            case EvalSpec.MMBENCH -> {
              ChoiceBenchmark.Outcome o = ChoiceBenchmark.run(b.getValue(), true, answerer, answers, tick);
              mmbench = o.result();
              section = o.report();
            }
            case EvalSpec.LLAVA_BENCH -> {
              JudgedBenchmark.Outcome o = JudgedBenchmark.run(b.getValue(), answerer, judge, answers, tick);
              llavaBench = o.result();
              section = o.report();
            }
            default -> {
              ChoiceBenchmark.Outcome o = ChoiceBenchmark.run(b.getValue(), false, answerer, answers, tick);
              mmlu = o.result();
              section = o.report();
            }
          }
        }
        // Each section says what its benchmark cost, so a slow one is easy to spot.
        section.put("seconds", seconds(benchmarkStarted));
        sections.put(DataSpec.benchmarkField(b.getKey()), section); // llava-bench -> llavaBench, as in EvalResult
      }
    }
    Map<String, Double> perCategory = new TreeMap<>();
    score.byCategory().forEach((category, tally) -> perCategory.put(category, tally.accuracy()));
    Map<String, Object> report = report(request.modelUri(), score);
    report.put("beams", spec.beams());
    report.put("seconds", exactSeconds);
    report.putAll(sections);
    Files.write(output.resolve(REPORT), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
    EvalResult result = new EvalResult(outputs.uri(), outputs.uri() + ANSWERS, items.size(), score.overall().accuracy(),
        perCategory, seconds(started), spec.beams(), mmbench, llavaBench, mmlu);
    outputs.commit(output, result);
    LocalFolders.delete(work);
    log.info("{}: exact match {} over {} questions {} (beam {}){}{}{}", context.label(),
        String.format("%.3f", result.exactMatch()), items.size(), perCategory, spec.beams(),
        mmbench == null ? "" : String.format("; mmbench %.3f circular", mmbench.accuracy()),
        llavaBench == null ? "" : String.format("; llava-bench %.1f (%s)", llavaBench.relative(), llavaBench.judge()),
        mmlu == null ? "" : String.format("; mmlu %.3f", mmlu.accuracy()));
    return result;
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  /**
   * LLaVA's model_id: the run and the stage whose output answered ({@code <run>/stage2} for full
   * fine-tuning, {@code <run>/merge} for a merged LoRA model), or the model's key when it lives
   * outside the run.
   */
  static String modelId(String runId, String modelUri) {
    String key = S3Uri.parse(modelUri).key();
    String root = StorePaths.runRoot(runId);
    return key.startsWith(root) ? runId + "/" + key.substring(root.length()).split("/")[0] : key;
  }

  private static Map<String, Object> report(String modelUri, ExactMatch score) {
    Map<String, Object> categories = new TreeMap<>();
    score.byCategory().forEach((category, tally) -> categories.put(category,
        Map.of("exactMatch", tally.accuracy(), "correct", tally.correct(), "total", tally.total())));
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("model", modelUri);
    report.put("exactMatch", score.overall().accuracy());
    report.put("correct", score.overall().correct());
    report.put("total", score.overall().total());
    report.put("perCategory", categories);
    return report;
  }
}
