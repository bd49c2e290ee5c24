package io.llavascale.workflows.study;

import io.llavascale.workflows.spec.PresetCatalog;
import io.llavascale.workflows.spec.RunSpec;
import io.llavascale.workflows.spec.RunSpecParser;
import io.llavascale.workflows.spec.SpecException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns a study's raw input (YAML or JSON decoded to maps) into a validated {@link StudySpec}, and
 * a spec into the {@link StudyPlan} of child runs. Every problem is collected and thrown together,
 * each naming its field and what it may be; every child's run spec is resolved with {@link
 * RunSpecParser}, so a cell that could not run is refused before anything starts. Pure and
 * deterministic apart from reading the bundled presets, so the workflow may call it.
 */
public final class StudySpecParser {
  public static final List<String> FIELDS = List.of("name", "base", "seed", "overrides", "grid", "maxConcurrent");
  public static final List<String> AXES = List.of("sizes", "resolutions", "mixes", "tunings", "beams");
  private static final List<String> AXIS_FIELDS = List.of("value", "overrides");
  /** Run-spec fields the study sets on its children itself. */
  private static final List<String> RESERVED = List.of("preset", "seed", "resumeFrom", "dataFrom", "stage1From", "stage2From", "stopAfter");

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
  private static final Pattern POOL = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private StudySpecParser() {}

  // ---------------------------------------------------------------------------------------------
  // shape

  /** Checks the study's fields; throws SpecException listing every problem. */
  public static StudySpec parse(Map<String, ?> input) {
    List<String> errors = new ArrayList<>();
    Map<String, ?> in = input == null ? Map.of() : input;
    unknown(in, "", FIELDS, errors);

    String name = text(in.get("name"), "name", errors);
    if (name != null && !NAME.matcher(name).matches()) {
      errors.add("name must be 1-40 of a-z, 0-9 and '-' (it starts child run ids), got '" + name + "'");
    }
    String base = text(in.get("base"), "base", errors);
    if (base != null && !PresetCatalog.NAMES.contains(base)) {
      errors.add("base must be one of the presets (" + String.join(", ", PresetCatalog.NAMES) + "), got '" + base + "'");
    }
    Long seed = null;
    if (!in.containsKey("seed")) {
      errors.add("missing field 'seed' (every child run takes it)");
    } else {
      BigDecimal d = number(in.get("seed"));
      if (d == null || d.stripTrailingZeros().scale() > 0) {
        errors.add("seed must be an integer, got " + show(in.get("seed")));
      } else {
        seed = d.longValue();
      }
    }
    Map<String, Object> overrides = overrides(in.get("overrides"), "overrides", errors);

    StudySpec.Grid grid = null;
    Object g = in.get("grid");
    if (!(g instanceof Map<?, ?> gm)) {
      errors.add(g == null ? "missing field 'grid' (axes: " + String.join(", ", AXES) + ")"
          : "grid must be an object with axes " + String.join(", ", AXES) + ", got " + show(g));
    } else {
      @SuppressWarnings("unchecked")
      Map<String, ?> axes = (Map<String, ?>) gm;
      unknown(axes, "grid", AXES, errors);
      grid = new StudySpec.Grid(
          axis(axes, "sizes", StudySpecParser::size, errors),
          axis(axes, "resolutions", StudySpecParser::resolution, errors),
          axis(axes, "mixes", StudySpecParser::mix, errors),
          axis(axes, "tunings", StudySpecParser::tuning, errors),
          axis(axes, "beams", StudySpecParser::beams, errors));
    }

    Map<String, Integer> maxConcurrent = new LinkedHashMap<>();
    Object mc = in.get("maxConcurrent");
    if (mc instanceof Map<?, ?> mm) {
      mm.forEach((k, v) -> {
        String pool = String.valueOf(k);
        BigDecimal d = number(v);
        if (!POOL.matcher(pool).matches()) {
          errors.add("maxConcurrent: '" + pool + "' is not a pool name (a-z, 0-9, '-')");
        } else if (d == null || d.stripTrailingZeros().scale() > 0 || d.intValue() < 1) {
          errors.add("maxConcurrent." + pool + " must be an integer >= 1, got " + show(v));
        } else {
          maxConcurrent.put(pool, d.intValue());
        }
      });
    } else if (mc != null) {
      errors.add("maxConcurrent must map pool names to child runs at once (e.g. {local: 2}), got " + show(mc));
    }

    if (!errors.isEmpty()) {
      throw new SpecException("study spec", errors);
    }
    return new StudySpec(name, base, seed, overrides, grid, Map.copyOf(maxConcurrent));
  }

  private interface ValueCheck {
    /** The value's canonical text, or null after adding an error. */
    String check(Object raw, String at, List<String> errors);
  }

  private static List<StudySpec.AxisValue> axis(
      Map<String, ?> axes, String axis, ValueCheck check, List<String> errors) {
    Object raw = axes.get(axis);
    if (raw == null) {
      return List.of(); // the base spec's one value
    }
    String at = "grid." + axis;
    if (!(raw instanceof List<?> list) || list.isEmpty()) {
      errors.add(at + " must list at least one value (or be left out to take the base's), got " + show(raw));
      return List.of();
    }
    List<StudySpec.AxisValue> out = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String item = at + "[" + i + "]";
      Object v = list.get(i);
      Map<String, Object> over = Map.of();
      if (v instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<String, ?> entry = (Map<String, ?>) m;
        unknown(entry, item, AXIS_FIELDS, errors);
        over = overrides(entry.get("overrides"), item + ".overrides", errors);
        v = entry.get("value");
        item += ".value";
        if (v == null) {
          errors.add("missing field '" + item + "'");
          continue;
        }
      }
      String value = check.check(v, item, errors);
      if (value == null) {
        continue;
      }
      if (seen.contains(value)) {
        errors.add(at + " lists " + value + " twice");
        continue;
      }
      seen.add(value);
      out.add(new StudySpec.AxisValue(value, over));
    }
    return List.copyOf(out);
  }

  private static String size(Object raw, String at, List<String> errors) {
    if (raw instanceof String s && NAME.matcher(s).matches()) {
      return s;
    }
    errors.add(at + " must be a model size (" + String.join(", ", RunSpecParser.SIZES)
        + ") or a variant name of a-z, 0-9 and '-' with model overrides (e.g. tiny-s), got " + show(raw));
    return null;
  }

  private static String resolution(Object raw, String at, List<String> errors) {
    BigDecimal d = number(raw);
    if (d != null && d.stripTrailingZeros().scale() <= 0 && RunSpecParser.RESOLUTIONS.contains(d.intValue())) {
      return String.valueOf(d.intValue());
    }
    errors.add(at + " must be one of " + join(RunSpecParser.RESOLUTIONS) + ", got " + show(raw));
    return null;
  }

  private static String mix(Object raw, String at, List<String> errors) {
    BigDecimal d = number(raw);
    if (d != null && d.signum() >= 0 && d.compareTo(BigDecimal.ONE) < 0) {
      return String.valueOf(d.doubleValue());
    }
    errors.add(at + " must be a ShareGPT mix ratio in [0, 1) (0 = no mixing), got " + show(raw));
    return null;
  }

  private static String tuning(Object raw, String at, List<String> errors) {
    if (raw instanceof String s && RunSpecParser.METHODS.contains(s)) {
      return s;
    }
    errors.add(at + " must be one of " + String.join(", ", RunSpecParser.METHODS) + ", got " + show(raw));
    return null;
  }

  private static String beams(Object raw, String at, List<String> errors) {
    BigDecimal d = number(raw);
    if (d != null && d.stripTrailingZeros().scale() <= 0 && d.intValue() >= 1 && d.intValue() <= 64) {
      return String.valueOf(d.intValue());
    }
    errors.add(at + " must be an integer in [1, 64], got " + show(raw));
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // plan

  /** One cell's coordinates and input, before the shared runs are picked. */
  private record Cell(
      String name, StudySpec.AxisValue size, int resolution, double mix, String tuning, int beams,
      Map<String, Object> input, RunSpec spec) {
    String dataKey() {
      return "data-r" + resolution + "-m" + percent(mix);
    }

    String alignKey() {
      return "align-" + size.value() + "-r" + resolution + "-m" + percent(mix);
    }

    /** The cells that differ only in beam width. */
    String tuneKey() {
      return alignKey() + "-" + tuning;
    }
  }

  /**
   * Expands the grid. Cells are the cross product in axis order; data prep is shared by every cell
   * of a (resolution, mix) and stage 1 by every cell of a (size, resolution, mix), so a cell may
   * differ from those it shares with only in what runs after them. The mix is part of both keys
   * because data prep builds the tokenizer from every dataset it reads, ShareGPT included.
   */
  public static StudyPlan plan(StudySpec study) {
    List<String> errors = new ArrayList<>();
    Map<String, Object> common = new LinkedHashMap<>();
    common.put("preset", study.base());
    common = RunSpecParser.deepMerge(common, study.overrides());
    common.put("seed", study.seed());
    RunSpec base = resolve(common, "base " + study.base() + " with overrides", errors);
    if (base == null) {
      throw new SpecException("study spec", errors);
    }

    StudySpec.Grid g = study.grid();
    List<StudySpec.AxisValue> sizes = orBase(g.sizes(), base.model().size());
    List<StudySpec.AxisValue> resolutions = orBase(g.resolutions(), String.valueOf(base.model().resolution()));
    List<StudySpec.AxisValue> mixes = orBase(g.mixes(), String.valueOf(base.data().mixRatio()));
    List<StudySpec.AxisValue> tunings = orBase(g.tunings(), base.tuning().method());
    List<StudySpec.AxisValue> beams = orBase(g.beams(), String.valueOf(base.eval().beams()));

    List<Cell> cells = new ArrayList<>();
    for (StudySpec.AxisValue size : sizes) {
      for (StudySpec.AxisValue res : resolutions) {
        for (StudySpec.AxisValue mix : mixes) {
          for (StudySpec.AxisValue tuning : tunings) {
            for (StudySpec.AxisValue beam : beams) {
              int r = Integer.parseInt(res.value());
              double m = Double.parseDouble(mix.value());
              int b = Integer.parseInt(beam.value());
              String name = size.value() + "-r" + r + "-m" + percent(m) + "-" + tuning.value() + "-b" + b;
              Map<String, Object> in = common;
              in = RunSpecParser.deepMerge(in, size.overrides());
              if (RunSpecParser.SIZES.contains(size.value())) {
                in = RunSpecParser.deepMerge(in, section("model", Map.of("size", size.value())));
              }
              in = RunSpecParser.deepMerge(in, res.overrides());
              in = RunSpecParser.deepMerge(in, section("model", resolutionFields(base, r)));
              in = RunSpecParser.deepMerge(in, mix.overrides());
              in = RunSpecParser.deepMerge(in, section("data",
                  m == 0 ? Map.of("mixRatio", 0.0, "sharegpt", "") : Map.of("mixRatio", m)));
              in = RunSpecParser.deepMerge(in, tuning.overrides());
              in = RunSpecParser.deepMerge(in, section("tuning", Map.of("method", tuning.value())));
              in = RunSpecParser.deepMerge(in, beam.overrides());
              in = RunSpecParser.deepMerge(in, section("eval", Map.of("beams", b)));
              RunSpec spec = resolve(in, "cell " + name, errors);
              if (spec != null) {
                cells.add(new Cell(name, size, r, m, tuning.value(), b, in, spec));
              }
            }
          }
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new SpecException("study spec", errors);
    }

    // The first cell of each key defines the shared run; every other cell must agree with it.
    Map<String, Cell> dataRuns = new LinkedHashMap<>();
    Map<String, Cell> alignRuns = new LinkedHashMap<>();
    for (Cell c : cells) {
      Cell data = dataRuns.computeIfAbsent(c.dataKey(), k -> c);
      Cell align = alignRuns.computeIfAbsent(c.alignKey(), k -> c);
      if (!sameDataPrep(c.spec(), data.spec())) {
        errors.add("cell " + c.name() + ": its data, eval.benchmarks or model family differ from cell " + data.name()
            + "'s, whose data prep it shares (one per resolution and mix); set data in overrides, resolutions or"
            + " mixes, not in sizes, tunings or beams");
      }
      if (!sameStage1(c.spec(), align.spec())) {
        errors.add("cell " + c.name() + ": its model, stage1 or compute.backend differ from cell " + align.name()
            + "'s, whose stage 1 it shares (one per size, resolution and mix); set them in overrides, sizes,"
            + " resolutions or mixes, not in tunings or beams");
      }
    }

    List<StudyPlan.Run> runs = new ArrayList<>();
    dataRuns.forEach((key, c) -> runs.add(new StudyPlan.Run(key, StudyPlan.DATA, "", "", "", c.spec().compute().gpuPool(),
        "", c.resolution(), c.mix(), "", 0, with(c.input(), "stopAfter", "dataprep"))));
    alignRuns.forEach((key, c) -> runs.add(new StudyPlan.Run(key, StudyPlan.ALIGN, c.dataKey(), "", "",
        c.spec().compute().gpuPool(), c.size().value(), c.resolution(), c.mix(), "", 0,
        with(c.input(), "stopAfter", "stage1"))));
    // Beam widths only change evaluation: the first cell of each tuning trains stage 2, the others
    // take it (unless their overrides change what stage 2 trains).
    Map<String, Cell> tuneRuns = new LinkedHashMap<>();
    for (Cell c : cells) {
      Cell tune = tuneRuns.computeIfAbsent(c.tuneKey(), k -> c);
      String stage2From = tune != c && sameStage2(c.spec(), tune.spec()) ? tune.name() : "";
      runs.add(new StudyPlan.Run(c.name(), StudyPlan.CELL, c.dataKey(), c.alignKey(), stage2From,
          c.spec().compute().gpuPool(), c.size().value(), c.resolution(), c.mix(), c.tuning(), c.beams(), c.input()));
    }

    TreeSet<String> pools = new TreeSet<>();
    runs.forEach(r -> pools.add(r.pool()));
    Map<String, Integer> limits = new LinkedHashMap<>();
    for (String pool : pools) {
      limits.put(pool, study.maxConcurrent().getOrDefault(pool, 1));
    }
    for (String pool : new TreeSet<>(study.maxConcurrent().keySet())) {
      if (!pools.contains(pool)) {
        errors.add("maxConcurrent." + pool + ": no child runs on pool '" + pool + "' (pools used: "
            + String.join(", ", pools) + ")");
      }
    }
    if (!errors.isEmpty()) {
      throw new SpecException("study spec", errors);
    }
    return new StudyPlan(study.name(), List.copyOf(runs), limits);
  }

  private static boolean sameStage2(RunSpec a, RunSpec b) {
    return a.seed() == b.seed() && a.model().equals(b.model()) && a.tuning().equals(b.tuning())
        && a.data().equals(b.data()) && a.stage1().equals(b.stage1()) && a.stage2().equals(b.stage2())
        && a.checkpoint().equals(b.checkpoint()) && a.compute().equals(b.compute());
  }

  private static boolean sameDataPrep(RunSpec a, RunSpec b) {
    return a.data().equals(b.data())
        && a.eval().benchmarks().equals(b.eval().benchmarks())
        && a.model().resolution() == b.model().resolution()
        && "tiny".equals(a.model().size()) == "tiny".equals(b.model().size());
  }

  private static boolean sameStage1(RunSpec a, RunSpec b) {
    return a.model().equals(b.model())
        && a.stage1().equals(b.stage1())
        && a.compute().backend().equals(b.compute().backend());
  }

  /** The resolution, and the matching CLIP tower when the base names one (paper sizes). */
  private static Map<String, Object> resolutionFields(RunSpec base, int resolution) {
    String vision = base.model().vision();
    if (vision.equals(RunSpecParser.CLIP_224) || vision.equals(RunSpecParser.CLIP_336)) {
      return Map.of("resolution", resolution,
          "vision", resolution == 336 ? RunSpecParser.CLIP_336 : RunSpecParser.CLIP_224);
    }
    return Map.of("resolution", resolution);
  }

  private static RunSpec resolve(Map<String, Object> input, String what, List<String> errors) {
    try {
      return RunSpecParser.parse(input);
    } catch (SpecException e) {
      e.errors().forEach(err -> errors.add(what + ": " + err));
      return null;
    }
  }

  private static List<StudySpec.AxisValue> orBase(List<StudySpec.AxisValue> values, String base) {
    return values.isEmpty() ? List.of(new StudySpec.AxisValue(base, Map.of())) : values;
  }

  private static Map<String, Object> with(Map<String, Object> input, String key, Object value) {
    Map<String, Object> out = new LinkedHashMap<>(input);
    out.put(key, value);
    return out;
  }

  /** 0.25 -> 25, 0.125 -> 12p5: the mix as a run-id-safe percentage. */
  static String percent(double ratio) {
    return new BigDecimal(Double.toString(ratio)).movePointRight(2).stripTrailingZeros().toPlainString()
        .replace('.', 'p');
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  private static void unknown(Map<String, ?> map, String path, List<String> allowed, List<String> errors) {
    for (String key : map.keySet()) {
      if (!allowed.contains(key)) {
        errors.add("unknown field '" + (path.isEmpty() ? key : path + "." + key) + "' (allowed: "
            + String.join(", ", allowed) + ")");
      }
    }
  }

  private static Map<String, Object> overrides(Object raw, String at, List<String> errors) {
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof Map<?, ?> m)) {
      errors.add(at + " must be an object of run-spec fields (e.g. {stage2: {maxSteps: 100}}), got " + show(raw));
      return Map.of();
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> over = (Map<String, Object>) m;
    for (String reserved : RESERVED) {
      if (over.containsKey(reserved)) {
        errors.add(at + "." + reserved + " is set by the study itself (use base and seed; sharing and resume are"
            + " the study's), remove it");
      }
    }
    return RunSpecParser.deepMerge(new LinkedHashMap<>(), over);
  }

  private static String text(Object raw, String field, List<String> errors) {
    if (raw == null) {
      errors.add("missing field '" + field + "'");
      return null;
    }
    if (!(raw instanceof String s)) {
      errors.add(field + " must be a string, got " + show(raw));
      return null;
    }
    return s;
  }

  private static BigDecimal number(Object raw) {
    if (raw instanceof Number n && !(raw instanceof Double d && (d.isNaN() || d.isInfinite()))) {
      return new BigDecimal(n.toString());
    }
    if (raw instanceof String s) {
      try {
        return new BigDecimal(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static String show(Object v) {
    if (v instanceof String s) {
      return "'" + s + "'";
    }
    if (v instanceof Map<?, ?>) {
      return "an object";
    }
    if (v instanceof List<?>) {
      return "a list";
    }
    return String.valueOf(Objects.requireNonNullElse(v, "null"));
  }

  private static String join(List<?> values) {
    return String.join(", ", values.stream().map(String::valueOf).toList());
  }

  /** {@code {section: fields}} as a run-spec override. */
  private static Map<String, Object> section(String section, Map<String, Object> fields) {
    return Map.of(section, fields);
  }
}
