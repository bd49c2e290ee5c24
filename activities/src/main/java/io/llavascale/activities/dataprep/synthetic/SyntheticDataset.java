package io.llavascale.activities.dataprep.synthetic;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Writes a small demo / test dataset in the real LLaVA formats to a local folder, deterministic
 * from the seed and sizes. Images show one to three coloured shapes on cells of a 3 x 3 grid, big
 * enough to survive a resize to 42 px.
 *
 * <p>Detail scenes (opt-in, {@link Options#detailFraction}) are where resolution matters: one or
 * two big shapes plus, in a free cell, either one small shape (a quarter of a big one's side) or
 * one to four small dots. Resized to 42 px (the tiny model at 224) a dot is 1.5 pixels across and
 * a small shape 2.5: in the vision tower's object mask, pooled over 2 x 2 pixel blocks, a dot fills
 * less than a quarter of a block; at 84 px (336) it is twice as wide and fills most of one. They add the eval categories {@value #DETAIL} ("What shape is the small object?") and
 * {@value #COUNT_SMALL} ("How many small dots are there?"). With detailFraction 0 (the default) no
 * random draw is spent on them, so the files are byte for byte what they were before.
 *
 * <pre>
 * root/images/train/img-00000.png|jpg   training images (PNG and JPEG mixed; some non-square)
 * root/images/eval/eval-00000.png|jpg   held-out images
 * root/stage1.json           LCS-558K-like caption records (two turns)
 * root/stage2.json           LLaVA-80K-like multi-turn Q&amp;A (short answers: "red", "top left", "2")
 * root/sharegpt.json         text-only multi-turn records (no "image" key)
 * root/eval/questions.jsonl  model_vqa questions {question_id, image, text, category, answer}
 * root/eval/mmbench.jsonl, llava_bench.jsonl, mmlu.jsonl   benchmark sets ({@link SyntheticBenchmarks})
 * </pre>
 *
 * Image paths in the records are relative to {@code root/images} (the run spec's image folder).
 * Bad records ({@link BadKind}) can be mixed into stage 1 and stage 2 for tests; the escaping path
 * {@code ../x.png} points at a real, valid image ({@code root/x.png}) so only the escape is wrong.
 */
public final class SyntheticDataset {
  public static final String IMAGES = "images";
  public static final String STAGE1 = "stage1.json";
  public static final String STAGE2 = "stage2.json";
  public static final String SHAREGPT = "sharegpt.json";
  public static final String EVAL = "eval/questions.jsonl";
  /** Eval category of the small-shape question. */
  public static final String DETAIL = "detail";
  /** Eval category of the small-dot count. */
  public static final String COUNT_SMALL = "count-small";
  /** Eval categories in the order questions.jsonl lists them per image. */
  public static final List<String> CATEGORIES =
      List.of("color", "shape", "position", "count", DETAIL, COUNT_SMALL);

  public static final List<String> COLORS =
      List.of("red", "green", "blue", "yellow", "purple", "orange");
  private static final Color[] RGB = {
    new Color(215, 30, 30), new Color(30, 150, 40), new Color(35, 70, 220),
    new Color(235, 200, 0), new Color(135, 40, 170), new Color(245, 130, 15)
  };
  public static final List<String> SHAPES = List.of("circle", "square", "triangle");
  public static final List<String> POSITIONS = List.of("top left", "top", "top right", "left",
      "center", "right", "bottom left", "bottom", "bottom right");
  private static final List<String> CAPTION_PROMPTS = List.of(
      "Describe the image concisely.",
      "Provide a brief description of the given image.",
      "Offer a succinct explanation of the picture presented.",
      "Summarize the visual content of the image.",
      "Give a short and clear explanation of the subsequent image.",
      "Share a concise interpretation of the image provided.",
      "Render a clear and concise summary of the photo.",
      "Write a terse but informative summary of the picture.");
  static final String[][] OPPOSITES = {
    {"big", "small"}, {"hot", "cold"}, {"up", "down"}, {"left", "right"}, {"top", "bottom"},
    {"light", "dark"}, {"fast", "slow"}, {"old", "new"}, {"open", "closed"}, {"happy", "sad"}
  };

  /** Bad records tests can inject. */
  public enum BadKind {
    /** image path that does not exist */
    MISSING_IMAGE,
    /** {@code ../x.png}: escapes the image folder */
    PATH_ESCAPE,
    /** a JPEG cut short */
    TRUNCATED_JPEG,
    /** a record without "conversations" */
    NO_CONVERSATIONS
  }

  /**
   * @param evalImages     held-out images; each gets one question per category it supports (2-4)
   * @param badStage1      bad records mixed into stage1.json (one record per entry)
   * @param badStage2      bad records mixed into stage2.json
   * @param detailFraction share of images (stage 1, stage 2, eval) that are detail scenes, [0, 1]
   */
  public record Options(
      long seed,
      int stage1Records,
      int stage2Records,
      int sharegptRecords,
      int evalImages,
      List<BadKind> badStage1,
      List<BadKind> badStage2,
      double detailFraction) {
    public Options {
      badStage1 = List.copyOf(badStage1);
      badStage2 = List.copyOf(badStage2);
      if (!(detailFraction >= 0 && detailFraction <= 1)) {
        throw new IllegalArgumentException("detailFraction must be in [0, 1], got " + detailFraction);
      }
    }

    public static Options of(long seed, int stage1, int stage2, int sharegpt, int evalImages) {
      return new Options(seed, stage1, stage2, sharegpt, evalImages, List.of(), List.of(), 0);
    }

    public Options withBad(List<BadKind> stage1Bad, List<BadKind> stage2Bad) {
      return new Options(seed, stage1Records, stage2Records, sharegptRecords, evalImages,
          stage1Bad, stage2Bad, detailFraction);
    }

    public Options withDetail(double fraction) {
      return new Options(seed, stage1Records, stage2Records, sharegptRecords, evalImages,
          badStage1, badStage2, fraction);
    }
  }

  /** What was written; record counts include the injected bad records. */
  public record Summary(
      Path root, int images, int stage1Records, int stage2Records, int sharegptRecords,
      int evalQuestions) {}

  record Shape(int color, int shape, int cell) {}

  /**
   * Small objects in one cell no big shape uses: {@code count} dots, or (count 0) one small shape.
   * {@code spots} are their places on a 3 x 3 sub-grid of the cell.
   */
  private record Small(int color, int shape, int cell, int count, List<Integer> spots) {
    boolean dots() {
      return count > 0;
    }
  }

  /** What one image shows; {@code small} is null except in detail scenes. */
  record Scene(List<Shape> shapes, Small small) {}

  record Qa(String category, String question, String answer) {}

  private SyntheticDataset() {}

  public static Summary write(Path root, Options o) {
    try {
      Files.createDirectories(root.resolve(IMAGES).resolve("train"));
      Files.createDirectories(root.resolve(IMAGES).resolve("eval"));
      Files.createDirectories(root.resolve("eval"));
      int[] images = {0};
      int s1 = writeStage1(root, o, images);
      int s2 = writeStage2(root, o, images);
      int sg = writeShareGpt(root, o);
      int ev = writeEval(root, o, images);
      SyntheticBenchmarks.write(root, o.seed(), o.evalImages());
      return new Summary(root, images[0], s1, s2, sg, ev);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- datasets ----

  private static int writeStage1(Path root, Options o, int[] images) throws IOException {
    Random rnd = new Random(o.seed() * 1_000_003L + 1);
    List<Integer> badAt = badPositions(rnd, o.stage1Records(), o.badStage1().size());
    int written = 0;
    try (JsonGenerator g = array(root.resolve(STAGE1))) {
      int bad = 0;
      for (int i = 0; i <= o.stage1Records(); i++) {
        while (bad < badAt.size() && badAt.get(bad) == i) {
          writeBad(g, root, "s1", o.badStage1().get(bad), bad, rnd, true);
          bad++;
          written++;
        }
        if (i == o.stage1Records()) {
          break;
        }
        Scene scene = scene(rnd, o.detailFraction());
        String image = writeImage(root, "train/img-" + pad(images[0]++), scene, rnd);
        String prompt = CAPTION_PROMPTS.get(rnd.nextInt(CAPTION_PROMPTS.size()));
        record(g, "s1-" + pad(i), image,
            List.of(imagePrompt(prompt, rnd), caption(scene)));
        written++;
      }
      g.writeEndArray();
    }
    return written;
  }

  private static int writeStage2(Path root, Options o, int[] images) throws IOException {
    Random rnd = new Random(o.seed() * 1_000_003L + 2);
    List<Integer> badAt = badPositions(rnd, o.stage2Records(), o.badStage2().size());
    int written = 0;
    try (JsonGenerator g = array(root.resolve(STAGE2))) {
      int bad = 0;
      for (int i = 0; i <= o.stage2Records(); i++) {
        while (bad < badAt.size() && badAt.get(bad) == i) {
          writeBad(g, root, "s2", o.badStage2().get(bad), bad, rnd, false);
          bad++;
          written++;
        }
        if (i == o.stage2Records()) {
          break;
        }
        Scene scene = scene(rnd, o.detailFraction());
        String image = writeImage(root, "train/img-" + pad(images[0]++), scene, rnd);
        List<Qa> qas = questions(scene, rnd);
        Collections.shuffle(qas, rnd);
        int turns = Math.min(qas.size(), 6 + rnd.nextInt(3));
        List<String> conv = new ArrayList<>();
        for (int t = 0; t < turns; t++) {
          conv.add(t == 0 ? imagePrompt(qas.get(t).question(), rnd) : qas.get(t).question());
          conv.add(qas.get(t).answer());
        }
        record(g, "s2-" + pad(i), image, conv);
        written++;
      }
      g.writeEndArray();
    }
    return written;
  }

  private static int writeShareGpt(Path root, Options o) throws IOException {
    Random rnd = new Random(o.seed() * 1_000_003L + 3);
    try (JsonGenerator g = array(root.resolve(SHAREGPT))) {
      for (int i = 0; i < o.sharegptRecords(); i++) {
        int turns = 1 + rnd.nextInt(3);
        List<String> conv = new ArrayList<>();
        for (int t = 0; t < turns; t++) {
          String[] qa = textQuestion(rnd);
          conv.add(qa[0]);
          conv.add(qa[1]);
        }
        record(g, "sharegpt-" + pad(i), null, conv);
      }
      g.writeEndArray();
    }
    return o.sharegptRecords();
  }

  private static int writeEval(Path root, Options o, int[] images) throws IOException {
    Random rnd = new Random(o.seed() * 1_000_003L + 4);
    int qid = 0;
    try (OutputStream out = Files.newOutputStream(root.resolve(EVAL));
        JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
      for (int i = 0; i < o.evalImages(); i++) {
        Scene scene = scene(rnd, o.detailFraction());
        String image = writeImage(root, "eval/eval-" + pad(i), scene, rnd);
        images[0]++;
        List<Qa> qas = questions(scene, rnd);
        for (String category : CATEGORIES) {
          List<Qa> of = qas.stream().filter(q -> q.category().equals(category)).toList();
          if (of.isEmpty()) {
            continue;
          }
          Qa q = of.get(rnd.nextInt(of.size()));
          g.writeStartObject();
          g.writeNumberField("question_id", qid++);
          g.writeStringField("image", image);
          g.writeStringField("text", q.question());
          g.writeStringField("category", category);
          g.writeStringField("answer", q.answer());
          g.writeEndObject();
        }
      }
      g.writeRaw('\n');
    }
    return qid;
  }

  // ---- content ----

  static Scene scene(Random rnd, double detailFraction) {
    // No draw at all without detail scenes: the default datasets keep their exact bytes.
    if (detailFraction > 0 && rnd.nextDouble() < detailFraction) {
      return detailScene(rnd);
    }
    return new Scene(shapes(rnd, 1 + rnd.nextInt(3)), null);
  }

  /** n big shapes on distinct cells, sorted by cell; the free cells follow them in the order. */
  private static List<Shape> shapes(Random rnd, int n) {
    List<Integer> cells = shuffledCells(rnd);
    List<Shape> shapes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      shapes.add(new Shape(rnd.nextInt(COLORS.size()), rnd.nextInt(SHAPES.size()), cells.get(i)));
    }
    shapes.sort((a, b) -> Integer.compare(a.cell(), b.cell()));
    return shapes;
  }

  /** One or two big shapes, and small objects in a cell neither of them uses. */
  private static Scene detailScene(Random rnd) {
    List<Shape> shapes = shapes(rnd, 1 + rnd.nextInt(2));
    List<Integer> free = shuffledCells(rnd);
    free.removeAll(shapes.stream().map(Shape::cell).toList());
    int cell = free.get(0);
    int color = rnd.nextInt(COLORS.size());
    List<Integer> spots = shuffledCells(rnd);
    if (rnd.nextBoolean()) {
      int count = 1 + rnd.nextInt(4);
      return new Scene(shapes, new Small(color, 0, cell, count, List.copyOf(spots.subList(0, count))));
    }
    // A single small shape sits in a corner of its cell, so at 336 px one patch holds all of it.
    int corner = List.of(0, 2, 6, 8).get(rnd.nextInt(4));
    return new Scene(shapes, new Small(color, rnd.nextInt(SHAPES.size()), cell, 0, List.of(corner)));
  }

  private static List<Integer> shuffledCells(Random rnd) {
    List<Integer> cells = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8));
    Collections.shuffle(cells, rnd);
    return cells;
  }

  /**
   * "a red circle at the top left and a blue square at the bottom"; detail scenes end with
   * "... and 3 small green dots at the center" or "... and a small red triangle at the right".
   */
  static String caption(Scene scene) {
    List<String> parts = new ArrayList<>();
    for (Shape s : scene.shapes()) {
      parts.add("a " + COLORS.get(s.color()) + " " + SHAPES.get(s.shape()) + " at the "
          + POSITIONS.get(s.cell()));
    }
    Small m = scene.small();
    if (m != null) {
      String what = m.dots()
          ? (m.count() == 1 ? "a small " + COLORS.get(m.color()) + " dot"
              : m.count() + " small " + COLORS.get(m.color()) + " dots")
          : "a small " + COLORS.get(m.color()) + " " + SHAPES.get(m.shape());
      parts.add(what + " at the " + POSITIONS.get(m.cell()));
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    return String.join(", ", parts.subList(0, parts.size() - 1)) + " and "
        + parts.get(parts.size() - 1);
  }

  /** Every unambiguous question the scene supports, with one- or two-word answers. */
  static List<Qa> questions(Scene scene, Random rnd) {
    return scene.small() == null ? bigShapeQuestions(scene.shapes(), rnd) : detailQuestions(scene);
  }

  /**
   * A detail scene: the big shapes are asked about by position only (a small red circle would make
   * "the red shape" or "how many circles" ambiguous), and the small objects get their own question.
   */
  private static List<Qa> detailQuestions(Scene scene) {
    List<Qa> qas = new ArrayList<>();
    for (Shape s : scene.shapes()) {
      String pos = POSITIONS.get(s.cell());
      qas.add(new Qa("color", "What color is the shape at the " + pos + "?", COLORS.get(s.color())));
      qas.add(new Qa("shape", "What shape is at the " + pos + "?", SHAPES.get(s.shape())));
    }
    Small m = scene.small();
    qas.add(m.dots()
        ? new Qa(COUNT_SMALL, "How many small dots are there?", String.valueOf(m.count()))
        : new Qa(DETAIL, "What shape is the small object?", SHAPES.get(m.shape())));
    return qas;
  }

  private static List<Qa> bigShapeQuestions(List<Shape> scene, Random rnd) {
    List<Qa> qas = new ArrayList<>();
    qas.add(new Qa("count", "How many shapes are in the image?", String.valueOf(scene.size())));
    for (int sh = 0; sh < SHAPES.size(); sh++) {
      final int shape = sh;
      long n = scene.stream().filter(s -> s.shape() == shape).count();
      if (n > 0 && rnd.nextBoolean()) {
        qas.add(new Qa("count", "How many " + SHAPES.get(sh) + "s are there?", String.valueOf(n)));
      }
    }
    for (Shape s : scene) {
      String color = COLORS.get(s.color());
      String shape = SHAPES.get(s.shape());
      String pos = POSITIONS.get(s.cell());
      qas.add(new Qa("color", "What color is the shape at the " + pos + "?", color));
      qas.add(new Qa("shape", "What shape is at the " + pos + "?", shape));
      boolean shapeUnique = scene.stream().filter(o -> o.shape() == s.shape()).count() == 1;
      boolean colorUnique = scene.stream().filter(o -> o.color() == s.color()).count() == 1;
      boolean pairUnique = scene.stream()
          .filter(o -> o.shape() == s.shape() && o.color() == s.color()).count() == 1;
      if (shapeUnique) {
        qas.add(new Qa("color", "What color is the " + shape + "?", color));
        qas.add(new Qa("position", "Where is the " + shape + "?", pos));
      }
      if (colorUnique) {
        qas.add(new Qa("shape", "What shape is the " + color + " object?", shape));
        qas.add(new Qa("position", "Where is the " + color + " shape?", pos));
      }
      if (pairUnique) {
        qas.add(new Qa("position", "Where is the " + color + " " + shape + "?", pos));
      }
    }
    return qas;
  }

  static String[] textQuestion(Random rnd) {
    switch (rnd.nextInt(4)) {
      case 0: {
        int a = rnd.nextInt(20);
        int b = rnd.nextInt(20);
        return new String[] {"What is " + a + " plus " + b + "?", String.valueOf(a + b)};
      }
      case 1: {
        int a = rnd.nextInt(20);
        int b = rnd.nextInt(a + 1);
        return new String[] {"What is " + a + " minus " + b + "?", String.valueOf(a - b)};
      }
      case 2: {
        String[] pair = OPPOSITES[rnd.nextInt(OPPOSITES.length)];
        boolean flip = rnd.nextBoolean();
        return new String[] {
          "What is the opposite of " + (flip ? pair[1] : pair[0]) + "?", flip ? pair[0] : pair[1]
        };
      }
      default: {
        int s = rnd.nextInt(3);
        String[] sides = {"0", "4", "3"};
        return new String[] {"How many corners does a " + SHAPES.get(s) + " have?", sides[s]};
      }
    }
  }

  private static String imagePrompt(String prompt, Random rnd) {
    return rnd.nextInt(4) == 0 ? prompt + "\n<image>" : "<image>\n" + prompt;
  }

  // ---- bad records ----

  private static List<Integer> badPositions(Random rnd, int n, int bad) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < bad; i++) {
      at.add(rnd.nextInt(n + 1));
    }
    Collections.sort(at);
    return at;
  }

  private static void writeBad(JsonGenerator g, Path root, String prefix, BadKind kind, int n,
      Random rnd, boolean stage1) throws IOException {
    String id = prefix + "-bad-" + kind.name().toLowerCase() + "-" + n;
    Scene scene = new Scene(shapes(rnd, 1 + rnd.nextInt(3)), null);
    List<String> conv = stage1
        ? List.of("<image>\nDescribe the image concisely.", caption(scene))
        : List.of("<image>\nHow many shapes are in the image?", String.valueOf(scene.shapes().size()));
    switch (kind) {
      case MISSING_IMAGE -> record(g, id, "train/missing-" + prefix + "-" + n + ".png", conv);
      case PATH_ESCAPE -> {
        Path outside = root.resolve("x.png");
        if (!Files.exists(outside)) {
          Files.write(outside, encode(draw(scene, 168, 168, rnd), "png"));
        }
        record(g, id, "../x.png", conv);
      }
      case TRUNCATED_JPEG -> {
        String image = "train/truncated-" + prefix + "-" + n + ".jpg";
        byte[] jpg = encode(draw(scene, 168, 168, rnd), "jpg");
        Files.write(root.resolve(IMAGES).resolve(image), Arrays.copyOf(jpg, jpg.length * 3 / 5));
        record(g, id, image, conv);
      }
      case NO_CONVERSATIONS -> {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("image", "train/missing-conv-" + prefix + "-" + n + ".png");
        g.writeEndObject();
      }
      default -> throw new IllegalStateException(kind.name());
    }
  }

  // ---- writing ----

  private static JsonGenerator array(Path file) throws IOException {
    JsonGenerator g = new JsonFactory().createGenerator(Files.newOutputStream(file),
        JsonEncoding.UTF8);
    g.useDefaultPrettyPrinter();
    g.writeStartArray();
    return g;
  }

  /** conv alternates human, gpt values. image null = text-only (no "image" key). */
  private static void record(JsonGenerator g, String id, String image, List<String> conv)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("id", id);
    if (image != null) {
      g.writeStringField("image", image);
    }
    g.writeArrayFieldStart("conversations");
    for (int i = 0; i < conv.size(); i++) {
      g.writeStartObject();
      g.writeStringField("from", i % 2 == 0 ? "human" : "gpt");
      g.writeStringField("value", conv.get(i));
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /** Writes the image (PNG or JPEG at random); returns its path relative to the image folder. */
  static String writeImage(Path root, String stem, Scene scene, Random rnd)
      throws IOException {
    boolean wide = rnd.nextInt(4) == 0;
    BufferedImage img = draw(scene, wide ? 224 : 168, 168, rnd);
    String fmt = rnd.nextBoolean() ? "png" : "jpg";
    String rel = stem + "." + fmt;
    Files.write(root.resolve(IMAGES).resolve(rel), encode(img, fmt));
    return rel;
  }

  private static BufferedImage draw(Scene scene, int w, int h, Random rnd) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(new Color(230 + rnd.nextInt(26), 230 + rnd.nextInt(26), 230 + rnd.nextInt(26)));
      g.fillRect(0, 0, w, h);
      int cw = w / 3;
      int ch = h / 3;
      int size = (int) (Math.min(cw, ch) * 0.75);
      for (Shape s : scene.shapes()) {
        fill(g, s.color(), s.shape(), (s.cell() % 3) * cw + cw / 2, (s.cell() / 3) * ch + ch / 2,
            size);
      }
      Small m = scene.small();
      if (m != null) {
        // Dots are a ninth of a cell across, a small shape a quarter of a big one.
        int small = m.dots() ? Math.min(cw, ch) / 9 : size / 4;
        for (int spot : m.spots()) {
          int cx = (m.cell() % 3) * cw + (spot % 3) * cw / 3 + cw / 6;
          int cy = (m.cell() / 3) * ch + (spot / 3) * ch / 3 + ch / 6;
          fill(g, m.color(), m.shape(), cx, cy, small);
        }
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  /** One shape of side {@code size} centred on (cx, cy). */
  private static void fill(Graphics2D g, int color, int shape, int cx, int cy, int size) {
    int x = cx - size / 2;
    int y = cy - size / 2;
    g.setColor(RGB[color]);
    switch (shape) {
      case 0 -> g.fillOval(x, y, size, size);
      case 1 -> g.fillRect(x + size / 10, y + size / 10, size * 8 / 10, size * 8 / 10);
      default -> g.fillPolygon(new int[] {cx, x + size, x}, new int[] {y, y + size, y + size}, 3);
    }
  }

  private static byte[] encode(BufferedImage img, String fmt) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, fmt, out)) {
      throw new IOException("no ImageIO writer for " + fmt);
    }
    return out.toByteArray();
  }

  static String pad(int i) {
    return String.format("%05d", i);
  }
}
