package io.llavascale.activities.evaluate;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.dataprep.PreparedDataReader;
import io.llavascale.activities.lifecycle.LocalFolders;
import io.llavascale.activities.lifecycle.StageContext;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.S3Uri;
import io.llavascale.activities.store.StageOutputs;
import io.llavascale.activities.store.StorePaths;
import io.llavascale.activities.train.TrainedModels;
import io.llavascale.model.data.EvalItem;
import io.llavascale.model.decode.GreedyDecoder;
import io.llavascale.model.llava.TinyLlava;
import io.llavascale.model.metrics.ExactMatch;
import io.llavascale.model.tokenizer.TextTokenizer;
import io.llavascale.workflows.stages.EvalRequest;
import io.llavascale.workflows.stages.EvalResult;
import io.llavascale.workflows.stages.StageNames;
import io.llavascale.workflows.stages.StageProgress;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.BufferedWriter;
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
 * Evaluate: greedy generation on the held-out questions, exact match overall and per category.
 * The model is whatever the run hands it: merged weights, full fine-tuning's weights, or a LoRA /
 * QLoRA adapter folder evaluated unmerged on its base.
 * Writes {@code answers.jsonl} (model_vqa answer format) and {@code report.json} under
 * {@code runs/<runId>/eval/output/}.
 */
public final class Evaluator {
  public static final String ANSWERS = "answers.jsonl";
  public static final String REPORT = "report.json";

  private static final Logger log = LoggerFactory.getLogger(Evaluator.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectStore store;
  private final Path scratch;

  @Inject
  public Evaluator(ObjectStore store, @Named("scratch") Path scratch) {
    this.store = store;
    this.scratch = scratch;
  }

  public EvalResult evaluate(EvalRequest request, StageContext context) throws IOException {
    StageOutputs outputs = StageOutputs.forStage(store, request.runId(), StageNames.EVALUATE);
    Optional<EvalResult> committed = outputs.readCommitted(EvalResult.class);
    if (committed.isPresent()) {
      log.info("{}: output already committed at {}; returning it", context.label(), outputs.uri());
      return committed.get();
    }
    long started = System.nanoTime();
    Path work = LocalFolders.fresh(scratch.resolve(request.runId()).resolve(StageNames.EVALUATE));
    PreparedDataReader data = new PreparedDataReader(store, request.runId());
    List<EvalItem> items = data.evalItems();
    if (items.isEmpty()) {
      throw new IllegalStateException("data prep kept no evaluation questions for run " + request.runId());
    }
    String modelId = modelId(request.runId(), request.modelUri());
    ExactMatch score = new ExactMatch();
    Path output = Files.createDirectories(work.resolve("output"));
    try (NDManager manager = NDManager.newBaseManager();
        TextTokenizer tokenizer = data.tokenizer();
        BufferedWriter answers = Files.newBufferedWriter(output.resolve(ANSWERS))) {
      TinyLlava model = TrainedModels.load(store, request.modelUri(), work, manager);
      int maxNewTokens = request.spec().eval().maxNewTokens();
      for (int i = 0; i < items.size(); i++) {
        EvalItem item = items.get(i);
        String prediction = tokenizer.decode(
            GreedyDecoder.generate(model, item.imageFloats(), item.promptIds(), maxNewTokens)).trim();
        boolean correct = score.add(item.category(), prediction, item.answer());
        answers.write(JSON.writeValueAsString(answerLine(item, prediction, correct, modelId)));
        answers.newLine();
        context.progress(new StageProgress(StageNames.EVALUATE, i + 1, items.size(), 0, 0, 0, 0, ""), 0);
      }
    }
    Map<String, Double> perCategory = new TreeMap<>();
    score.byCategory().forEach((category, tally) -> perCategory.put(category, tally.accuracy()));
    double exactMatch = score.overall().accuracy();
    Files.write(output.resolve(REPORT),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(report(request.modelUri(), score)));
    EvalResult result = new EvalResult(outputs.uri(), outputs.uri() + ANSWERS, items.size(), exactMatch,
        perCategory, (System.nanoTime() - started) / 1e9);
    outputs.commit(output, result);
    LocalFolders.delete(work);
    log.info("{}: exact match {} over {} questions {}", context.label(), String.format("%.3f", exactMatch),
        items.size(), perCategory);
    return result;
  }

  /** One line of LLaVA's model_vqa answers jsonl, plus our scoring in metadata. */
  private static Map<String, Object> answerLine(EvalItem item, String prediction, boolean correct, String modelId) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("question_id", item.questionId());
    line.put("prompt", item.question());
    line.put("text", prediction);
    line.put("answer_id", item.questionId() + "-" + modelId);
    line.put("model_id", modelId);
    line.put("metadata", Map.of("category", item.category(), "reference", item.answer(), "correct", correct));
    return line;
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
