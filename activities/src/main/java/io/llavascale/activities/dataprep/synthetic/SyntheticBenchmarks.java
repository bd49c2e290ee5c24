package io.llavascale.activities.dataprep.synthetic;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset.Qa;
import io.llavascale.activities.dataprep.synthetic.SyntheticDataset.Shape;
import io.llavascale.model.metrics.MultipleChoice;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The held-out benchmark sets of the synthetic dataset, as jsonl in the model_vqa question layout
 * plus the fields each benchmark needs (images under {@code images/eval/}):
 *
 * <pre>
 * eval/mmbench.jsonl      MMBench-like: {question_id, image, text, options: [..], answer: "B", category}
 *                         color / shape / position / count questions with 3-4 options (MMBench ships
 *                         a tsv with columns A-D; jsonl keeps a variable number of options)
 * eval/llava_bench.jsonl  LLaVA-Bench-like: {question_id, image, text, category, answer, context},
 *                         three questions per image: conv (a short question), detail ("describe"),
 *                         complex (colour and shape together); answer is the reference, context the
 *                         scene description a judge reads instead of the pixels
 * eval/mmlu.jsonl         MMLU-like, text only: {question_id, text, options, answer, category}
 *                         (math, vocabulary) from the ShareGPT-like families: only mixing ShareGPT
 *                         into stage 2 shows the model such text (the tiny analogue of Table 5)
 * </pre>
 *
 * Sized from the eval set: mmbench and mmlu get evalImages / 2 questions each, llava-bench
 * evalImages / 6 images (three questions each), at least one of each. Deterministic from the seed.
 */
public final class SyntheticBenchmarks {
  public static final String MMBENCH = "eval/mmbench.jsonl";
  public static final String LLAVA_BENCH = "eval/llava_bench.jsonl";
  public static final String MMLU = "eval/mmlu.jsonl";

  private static final List<String> CHOICE_CATEGORIES = List.of("color", "shape", "position", "count");
  private static final List<String> COUNTS = List.of("1", "2", "3", "4");

  private SyntheticBenchmarks() {}

  /** Writes the three sets under root (images to root/images/eval); returns questions written per set. */
  public static List<Integer> write(Path root, long seed, int evalImages) {
    try {
      Files.createDirectories(root.resolve(SyntheticDataset.IMAGES).resolve("eval"));
      return List.of(
          writeMmbench(root, new Random(seed * 1_000_003L + 5), Math.max(1, evalImages / 2)),
          writeLlavaBench(root, new Random(seed * 1_000_003L + 6), Math.max(1, evalImages / 6)),
          writeMmlu(root, new Random(seed * 1_000_003L + 7), Math.max(1, evalImages / 2)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int writeMmbench(Path root, Random rnd, int questions) throws IOException {
    try (JsonGenerator g = jsonl(root.resolve(MMBENCH))) {
      for (int i = 0; i < questions; i++) {
        String category = CHOICE_CATEGORIES.get(i % CHOICE_CATEGORIES.size());
        SyntheticDataset.Scene scene;
        List<Qa> of;
        do { // a scene of look-alike shapes may have no position question
          scene = SyntheticDataset.scene(rnd, 0);
          of = SyntheticDataset.questions(scene, rnd).stream().filter(q -> q.category().equals(category)).toList();
        } while (of.isEmpty());
        Qa qa = of.get(rnd.nextInt(of.size()));
        String id = "mmb-" + SyntheticDataset.pad(i);
        String image = SyntheticDataset.writeImage(root, "eval/" + id, scene, rnd);
        g.writeStartObject();
        g.writeStringField("question_id", id);
        g.writeStringField("image", image);
        g.writeStringField("text", qa.question());
        choices(g, qa.answer(), answerSpace(category), rnd);
        g.writeStringField("category", category);
        g.writeEndObject();
      }
    }
    return questions;
  }

  private static int writeLlavaBench(Path root, Random rnd, int images) throws IOException {
    int written = 0;
    try (JsonGenerator g = jsonl(root.resolve(LLAVA_BENCH))) {
      for (int i = 0; i < images; i++) {
        SyntheticDataset.Scene scene = SyntheticDataset.scene(rnd, 0);
        String image = SyntheticDataset.writeImage(root, "eval/llava-bench-" + SyntheticDataset.pad(i), scene, rnd);
        String caption = SyntheticDataset.caption(scene);
        List<Qa> asked = SyntheticDataset.questions(scene, rnd);
        Qa conv = asked.get(rnd.nextInt(asked.size()));
        Shape s = scene.shapes().get(rnd.nextInt(scene.shapes().size()));
        String place = SyntheticDataset.POSITIONS.get(s.cell());
        String[][] lines = {
          {"conv", conv.question(), conv.answer()},
          {"detail", "Describe the image in detail.", caption},
          {"complex", "What is at the " + place + "? Give its color and shape.",
              "a " + SyntheticDataset.COLORS.get(s.color()) + " " + SyntheticDataset.SHAPES.get(s.shape())},
        };
        for (String[] line : lines) {
          g.writeStartObject();
          g.writeStringField("question_id", "lb-" + SyntheticDataset.pad(written++));
          g.writeStringField("image", image);
          g.writeStringField("text", line[1]);
          g.writeStringField("category", line[0]);
          g.writeStringField("answer", line[2]);
          g.writeStringField("context", caption);
          g.writeEndObject();
        }
      }
    }
    return written;
  }

  private static int writeMmlu(Path root, Random rnd, int questions) throws IOException {
    List<String> words = new ArrayList<>();
    for (String[] pair : SyntheticDataset.OPPOSITES) {
      words.addAll(List.of(pair));
    }
    try (JsonGenerator g = jsonl(root.resolve(MMLU))) {
      for (int i = 0; i < questions; i++) {
        String[] qa = SyntheticDataset.textQuestion(rnd);
        boolean number = qa[1].chars().allMatch(Character::isDigit);
        g.writeStartObject();
        g.writeStringField("question_id", "mmlu-" + SyntheticDataset.pad(i));
        g.writeStringField("text", qa[0]);
        choices(g, qa[1], number ? nearby(Integer.parseInt(qa[1])) : words, rnd);
        g.writeStringField("category", number ? "math" : "vocabulary");
        g.writeEndObject();
      }
    }
    return questions;
  }

  /** Writes "options" (the answer and up to three others from the space, shuffled) and "answer" (its letter). */
  private static void choices(JsonGenerator g, String answer, List<String> space, Random rnd) throws IOException {
    List<String> others = new ArrayList<>(space);
    others.remove(answer);
    Collections.shuffle(others, rnd);
    List<String> options = new ArrayList<>(others.subList(0, Math.min(3, others.size())));
    options.add(answer);
    Collections.shuffle(options, rnd);
    g.writeArrayFieldStart("options");
    for (String option : options) {
      g.writeString(option);
    }
    g.writeEndArray();
    g.writeStringField("answer", String.valueOf(MultipleChoice.letter(options.indexOf(answer))));
  }

  private static List<String> answerSpace(String category) {
    return switch (category) {
      case "color" -> SyntheticDataset.COLORS;
      case "shape" -> SyntheticDataset.SHAPES;
      case "position" -> SyntheticDataset.POSITIONS;
      default -> COUNTS;
    };
  }

  /** Wrong numbers a near miss would give: the answer +-1, +-2, never negative. */
  private static List<String> nearby(int answer) {
    Set<String> out = new LinkedHashSet<>();
    for (int d : new int[] {-2, -1, 0, 1, 2, 3, 4}) {
      if (answer + d >= 0) {
        out.add(String.valueOf(answer + d));
      }
    }
    return new ArrayList<>(out);
  }

  private static JsonGenerator jsonl(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    OutputStream out = Files.newOutputStream(file);
    JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
    g.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
    return g;
  }
}
