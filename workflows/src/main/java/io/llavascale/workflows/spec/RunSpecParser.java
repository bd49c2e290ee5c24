package io.llavascale.workflows.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the raw input of a run (a {@code preset} name plus overrides, or a whole spec, as decoded
 * from YAML or JSON) into a validated {@link RunSpec}.
 *
 * <p>Rules: overrides are deep-merged onto the preset (maps merge key by key, scalars and lists
 * replace); unknown fields are rejected with their path and the allowed names; every field is
 * checked against its type and range; all problems are collected and thrown together as one
 * {@link SpecException}. Pure and deterministic: the only thing read is the bundled presets, which
 * are versioned with the code, so the workflow may call it.
 */
public final class RunSpecParser {
  public static final List<String> SIZES = List.of("tiny", "7b", "13b", "33b", "65b", "70b");
  public static final List<String> METHODS = List.of("full", "lora", "qlora");
  public static final List<Integer> RESOLUTIONS = List.of(224, 336);
  public static final List<String> SCHEDULES = List.of("cosine", "linear");
  /** Stages a run may stop after (RunSpec.stopAfter); "" runs them all. */
  public static final List<String> STOP_AFTER = List.of("", "dataprep", "stage1");
  public static final List<String> BACKENDS = List.of(ComputeSpec.JVM, ComputeSpec.EXTERNAL);
  public static final String CLIP_224 = "openai/clip-vit-large-patch14";
  public static final String CLIP_336 = "openai/clip-vit-large-patch14-336";

  /**
   * Fields a whole spec may leave out, with the value they take (also what lets a spec.json
   * written before a field existed still resume).
   */
  private static final Map<String, Object> OPTIONAL = Map.ofEntries(
      Map.entry("preset", ""), Map.entry("resumeFrom", ""),
      Map.entry("dataFrom", ""), Map.entry("stage1From", ""), Map.entry("stopAfter", ""), Map.entry("stage2From", ""), Map.entry("data.sharegpt", ""),
      Map.entry("data.mixRatio", 0.0), Map.entry("data.mmbench", ""), Map.entry("data.llavaBench", ""),
      Map.entry("data.mmlu", ""), Map.entry("eval.benchmarks", List.of()),
      Map.entry("eval.judge", EvalSpec.OFFLINE_JUDGE), Map.entry("eval.judgeModel", ""));

  // A pool name becomes part of a task queue name (llava-gpu-<pool>).
  private static final Pattern POOL = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  // A run id becomes one S3 key segment (runs/<runId>/...).
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:=@+-]{0,254}");
  private static final Pattern URI = Pattern.compile("s3://[^/\\s]+/\\S*");

  private RunSpecParser() {}

  // ---------------------------------------------------------------------------------------------
  // entry points

  /** Resolves and validates; throws SpecException listing every problem. */
  public static RunSpec parse(Map<String, ?> input) {
    List<String> errors = new ArrayList<>();
    Map<String, Object> in = input == null ? new LinkedHashMap<>() : deepCopy(input);

    checkUnknown(RunSpec.class, in, "", errors);

    String presetName = "";
    Map<String, Object> base = new LinkedHashMap<>();
    Object p = in.get("preset");
    if (p != null && !(p instanceof String)) {
      errors.add("preset must be a string naming a preset, got " + show(p));
    } else if (p != null && !((String) p).isEmpty()) {
      presetName = (String) p;
      var found = PresetCatalog.find(presetName);
      if (found.isEmpty()) {
        errors.add(PresetCatalog.unknownPresetMessage(presetName));
        throw new SpecException(errors);
      }
      base = found.get();
    }

    Map<String, Object> merged = deepMerge(base, in);
    merged.put("preset", presetName);
    OPTIONAL.forEach((path, dflt) -> putIfAbsent(merged, path, dflt));

    int before = errors.size();
    RunSpec spec = (RunSpec) convertRecord(RunSpec.class, merged, "", errors);
    if (presetName.isEmpty() && errors.stream().skip(before).anyMatch(e -> e.startsWith("missing"))) {
      errors.add(
          "no preset given, so the input must be a whole spec; or name one with \"preset\" ("
              + String.join(", ", PresetCatalog.NAMES)
              + ")");
    }
    if (spec != null) {
      validate(spec, errors);
    }
    if (!errors.isEmpty()) {
      throw new SpecException(errors);
    }
    return spec;
  }

  /** {@link #parse} of a JSON object text (what {@code temporal workflow start --input} sends). */
  public static RunSpec parseJson(String json) {
    return parse(readTree(new ObjectMapper(), json, "JSON"));
  }

  /** {@link #parse} of a YAML mapping text (a spec file). */
  public static RunSpec parseYaml(String yaml) {
    return parse(readTree(new ObjectMapper(new YAMLFactory()), yaml, "YAML"));
  }

  /**
   * The spec as plain maps, lists, strings and numbers in field order, for spec.json. {@code
   * parse(toMap(spec))} gives back an equal spec.
   */
  public static Map<String, Object> toMap(RunSpec spec) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) plain(spec);
    return m;
  }

  // ---------------------------------------------------------------------------------------------
  // shape: unknown fields, merge, conversion

  private static void checkUnknown(Class<?> type, Map<String, Object> map, String path, List<String> errors) {
    RecordComponent[] comps = type.getRecordComponents();
    List<String> allowed = Arrays.stream(comps).map(RecordComponent::getName).toList();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      String key = e.getKey();
      String at = join(path, key);
      int i = allowed.indexOf(key);
      if (i < 0) {
        String hint = closest(key, allowed);
        errors.add(
            "unknown field '"
                + at
                + "' (allowed: "
                + String.join(", ", allowed)
                + ")"
                + (hint == null ? "" : "; did you mean '" + hint + "'?"));
        continue;
      }
      Class<?> ft = comps[i].getType();
      if (ft.isRecord() && e.getValue() instanceof Map<?, ?> sub) {
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) sub;
        checkUnknown(ft, s, at, errors);
      }
    }
  }

  private static Object convertRecord(Class<?> type, Object raw, String path, List<String> errors) {
    if (!(raw instanceof Map<?, ?> map)) {
      errors.add(path + " must be an object with fields " + fieldNames(type) + ", got " + show(raw));
      return null;
    }
    RecordComponent[] comps = type.getRecordComponents();
    Object[] args = new Object[comps.length];
    boolean ok = true;
    for (int i = 0; i < comps.length; i++) {
      RecordComponent c = comps[i];
      String at = join(path, c.getName());
      if (!map.containsKey(c.getName())) {
        errors.add("missing field '" + at + "'");
        ok = false;
        continue;
      }
      Object v = convert(c.getType(), c.getGenericType(), map.get(c.getName()), at, errors);
      if (v == null) {
        ok = false;
      }
      args[i] = v;
    }
    if (!ok) {
      return null;
    }
    try {
      Class<?>[] types = Arrays.stream(comps).map(RecordComponent::getType).toArray(Class<?>[]::new);
      Constructor<?> ctor = type.getDeclaredConstructor(types);
      return ctor.newInstance(args);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
    }
  }

  private static Object convert(Class<?> type, Type generic, Object raw, String at, List<String> errors) {
    if (raw == null) {
      errors.add(at + " must not be null");
      return null;
    }
    if (type.isRecord()) {
      return convertRecord(type, raw, at, errors);
    }
    if (type == String.class) {
      if (raw instanceof String s) {
        return s;
      }
      errors.add(at + " must be a string, got " + show(raw));
      return null;
    }
    if (type == int.class || type == long.class) {
      BigDecimal d = number(raw);
      if (d != null) {
        try {
          long l = d.longValueExact();
          if (type == long.class) {
            return l;
          }
          if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
            return (int) l;
          }
        } catch (ArithmeticException notIntegral) {
          // falls through to the error below
        }
      }
      errors.add(at + " must be an integer, got " + show(raw));
      return null;
    }
    if (type == double.class) {
      BigDecimal d = number(raw);
      if (d != null) {
        return d.doubleValue();
      }
      errors.add(at + " must be a number, got " + show(raw));
      return null;
    }
    if (type == List.class) {
      Type elem = ((ParameterizedType) generic).getActualTypeArguments()[0];
      if (elem != String.class) {
        throw new IllegalStateException("unsupported list element " + elem);
      }
      if (!(raw instanceof List<?> list)) {
        errors.add(at + " must be a list of strings, got " + show(raw));
        return null;
      }
      List<String> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        if (!(list.get(i) instanceof String s)) {
          errors.add(at + "[" + i + "] must be a string, got " + show(list.get(i)));
          return null;
        }
        out.add(s);
      }
      return List.copyOf(out);
    }
    throw new IllegalStateException("unsupported spec field type " + type + " at " + at);
  }

  /** Numbers, and strings that are numbers (YAML 1.1 reads 1e-4 as a string). */
  private static BigDecimal number(Object raw) {
    if (raw instanceof Double d && (d.isNaN() || d.isInfinite())) {
      return null;
    }
    if (raw instanceof Float f && (f.isNaN() || f.isInfinite())) {
      return null;
    }
    if (raw instanceof Number n) {
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

  // ---------------------------------------------------------------------------------------------
  // values

  private static void validate(RunSpec s, List<String> errors) {
    Checks c = new Checks(errors);

    if (!s.resumeFrom().isEmpty() && !RUN_ID.matcher(s.resumeFrom()).matches()) {
      errors.add(
          "resumeFrom must be a run id (letters, digits and ._:=@+- , no '/'), got "
              + show(s.resumeFrom()));
    }
    for (var from : Map.of("dataFrom", s.dataFrom(), "stage1From", s.stage1From(), "stage2From", s.stage2From())
        .entrySet()) {
      if (!from.getValue().isEmpty() && !RUN_ID.matcher(from.getValue()).matches()) {
        errors.add(from.getKey() + " must be a run id (letters, digits and ._:=@+- , no '/'), got "
            + show(from.getValue()));
      }
    }
    if (!s.stage1From().isEmpty() && s.dataFrom().isEmpty()) {
      errors.add("stage1From needs dataFrom: a shared stage 1 is tied to the data prep (tokenizer) it was trained"
          + " on, so name that run in dataFrom, got stage1From " + show(s.stage1From()) + " alone");
    }
    if (!s.stage2From().isEmpty() && s.stage1From().isEmpty()) {
      errors.add("stage2From needs stage1From: a shared stage 2 is tuned on top of one stage 1, so name that run in"
          + " stage1From, got stage2From " + show(s.stage2From()) + " alone");
    }
    if (!s.stage2From().isEmpty() && !s.stopAfter().isEmpty()) {
      errors.add("stage2From takes a finished stage 2, so the run cannot stop before it: leave stopAfter out, got "
          + show(s.stopAfter()));
    }
    if (!STOP_AFTER.contains(s.stopAfter())) {
      errors.add("stopAfter must be one of dataprep, stage1, or \"\" to run every stage, got " + show(s.stopAfter()));
    }

    ModelSpec m = s.model();
    c.oneOf("model.size", m.size(), SIZES);
    c.oneOf("model.resolution", m.resolution(), RESOLUTIONS);
    c.notBlank("model.llm", m.llm());
    c.notBlank("model.vision", m.vision());
    if (RESOLUTIONS.contains(m.resolution())) {
      String expect = m.resolution() == 336 ? CLIP_336 : CLIP_224;
      String other = m.resolution() == 336 ? CLIP_224 : CLIP_336;
      if (m.vision().equals(other)) {
        errors.add(
            "model.vision '"
                + m.vision()
                + "' is not a "
                + m.resolution()
                + "-pixel tower but model.resolution is "
                + m.resolution()
                + " (use '"
                + expect
                + "')");
      }
    }
    c.positive("model.hidden", m.hidden());
    c.positive("model.layers", m.layers());
    c.positive("model.heads", m.heads());
    if (m.hidden() > 0 && m.heads() > 0 && m.hidden() % m.heads() != 0) {
      errors.add(
          "model.hidden must be a multiple of model.heads, got hidden "
              + m.hidden()
              + " and heads "
              + m.heads());
    }

    TuningSpec t = s.tuning();
    c.oneOf("tuning.method", t.method(), METHODS);
    boolean adapters = "lora".equals(t.method()) || "qlora".equals(t.method());
    if (adapters) {
      c.range("tuning.loraRank", t.loraRank(), 1, 4096);
      c.positive("tuning.loraAlpha", t.loraAlpha());
      if (t.targetModules().isEmpty()) {
        errors.add(
            "tuning.targetModules must name at least one module for "
                + t.method()
                + " (for example q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)");
      }
    } else {
      c.atLeast("tuning.loraRank", t.loraRank(), 0);
      c.atLeast("tuning.loraAlpha", t.loraAlpha(), 0);
    }
    c.halfOpen("tuning.loraDropout", t.loraDropout(), 0, 1);
    for (int i = 0; i < t.targetModules().size(); i++) {
      c.notBlank("tuning.targetModules[" + i + "]", t.targetModules().get(i));
    }

    DataSpec d = s.data();
    c.uri("data.stage1", d.stage1());
    c.uri("data.stage2", d.stage2());
    c.uri("data.images", d.images());
    c.uri("data.eval", d.eval());
    if (!d.sharegpt().isEmpty()) {
      c.uri("data.sharegpt", d.sharegpt());
    }
    c.halfOpen("data.mixRatio", d.mixRatio(), 0, 1);
    if (d.mixRatio() > 0 && d.sharegpt().isEmpty()) {
      errors.add("data.sharegpt must be set when data.mixRatio is above 0, got mixRatio " + fmt(d.mixRatio()));
    }
    if (d.mixRatio() == 0 && !d.sharegpt().isEmpty()) {
      errors.add("data.mixRatio must be > 0 when data.sharegpt is set (or set data.sharegpt to \"\"), got 0");
    }
    c.closed("data.maxBadFraction", d.maxBadFraction(), 0, 1);

    stage("stage1", s.stage1(), c, errors);
    stage("stage2", s.stage2(), c, errors);

    c.positive("checkpoint.everySteps", s.checkpoint().everySteps());
    c.atLeast("checkpoint.keep", s.checkpoint().keep(), 1);

    EvalSpec e = s.eval();
    c.range("eval.beams", e.beams(), 1, 64);
    c.positive("eval.maxNewTokens", e.maxNewTokens());
    for (String name : EvalSpec.BENCHMARKS) {
      String field = "data." + DataSpec.benchmarkField(name);
      String uri = d.benchmark(name);
      if (!uri.isEmpty()) {
        c.uri(field, uri);
      } else if (e.benchmarks().contains(name)) {
        errors.add(field + " must be set when eval.benchmarks lists " + name + " (an s3://bucket/key URI of its"
            + " questions), or take " + name + " out of eval.benchmarks");
      }
    }
    for (int i = 0; i < e.benchmarks().size(); i++) {
      String name = e.benchmarks().get(i);
      c.oneOf("eval.benchmarks[" + i + "]", name, EvalSpec.BENCHMARKS);
      if (e.benchmarks().indexOf(name) < i) {
        errors.add("eval.benchmarks lists " + show(name) + " twice");
      }
    }
    c.oneOf("eval.judge", e.judge(), EvalSpec.JUDGES);

    ComputeSpec k = s.compute();
    c.oneOf("compute.backend", k.backend(), BACKENDS);
    if (ComputeSpec.JVM.equals(k.backend()) && SIZES.contains(m.size()) && !"tiny".equals(m.size())) {
      errors.add("compute.backend jvm trains model.size tiny only, got model.size " + show(m.size())
          + " (use compute.backend external: the reference trainer on GPU nodes)");
    }
    if (!POOL.matcher(k.gpuPool()).matches()) {
      errors.add(
          "compute.gpuPool must be lower-case letters, digits and '-' (it names task queue"
              + " llava-gpu-<pool>), got "
              + show(k.gpuPool()));
    }
    c.positive("compute.gpusPerNode", k.gpusPerNode());
    c.positive("compute.nodes", k.nodes());
    long world = (long) k.gpusPerNode() * k.nodes();
    if (ComputeSpec.EXTERNAL.equals(k.backend()) && world > 0) {
      for (String st : List.of("stage1", "stage2")) {
        int batch = st.equals("stage1") ? s.stage1().batchSize() : s.stage2().batchSize();
        if (batch > 0 && batch % world != 0) {
          errors.add(st + ".batchSize must be a multiple of compute.gpusPerNode x compute.nodes (" + world
              + ") for compute.backend external (each GPU takes batchSize / GPUs), got " + batch);
        }
      }
    }
  }

  private static void stage(String p, StageSpec st, Checks c, List<String> errors) {
    if (!(st.learningRate() > 0)) {
      errors.add(p + ".learningRate must be > 0, got " + fmt(st.learningRate()));
    } else if (st.learningRate() > 1) {
      errors.add(p + ".learningRate must be <= 1, got " + fmt(st.learningRate()));
    }
    c.halfOpen(p + ".warmupRatio", st.warmupRatio(), 0, 1);
    c.oneOf(p + ".schedule", st.schedule(), SCHEDULES);
    c.halfOpen(p + ".weightDecay", st.weightDecay(), 0, 1);
    c.positive(p + ".batchSize", st.batchSize());
    c.positive(p + ".epochs", st.epochs());
    c.atLeast(p + ".maxSteps", st.maxSteps(), 0);
    c.positive(p + ".maxLength", st.maxLength());
  }

  /** Small helpers that phrase messages the same way everywhere. */
  private record Checks(List<String> errors) {
    void oneOf(String f, Object v, List<?> allowed) {
      if (!allowed.contains(v)) {
        errors.add(
            f
                + " must be one of "
                + String.join(", ", allowed.stream().map(String::valueOf).toList())
                + ", got "
                + show(v));
      }
    }

    void notBlank(String f, String v) {
      if (v.isBlank()) {
        errors.add(f + " must not be empty");
      }
    }

    void positive(String f, long v) {
      if (v <= 0) {
        errors.add(f + " must be > 0, got " + v);
      }
    }

    void atLeast(String f, long v, long min) {
      if (v < min) {
        errors.add(f + " must be >= " + min + ", got " + v);
      }
    }

    void range(String f, long v, long min, long max) {
      if (v < min || v > max) {
        errors.add(f + " must be in [" + min + ", " + max + "], got " + v);
      }
    }

    void halfOpen(String f, double v, double min, double max) {
      if (!(v >= min && v < max)) {
        errors.add(f + " must be in [" + fmt(min) + ", " + fmt(max) + "), got " + fmt(v));
      }
    }

    void closed(String f, double v, double min, double max) {
      if (!(v >= min && v <= max)) {
        errors.add(f + " must be in [" + fmt(min) + ", " + fmt(max) + "], got " + fmt(v));
      }
    }

    void uri(String f, String v) {
      if (!URI.matcher(v).matches()) {
        errors.add(f + " must be an s3://bucket/key URI (upload local data first: the CLI does it for the demo), got " + show(v));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // plumbing

  /** Deep copy of nested maps and lists (values are immutable scalars). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> deepCopy(Map<String, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, copyValue(v)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object copyValue(Object v) {
    if (v instanceof Map<?, ?> mm) {
      return deepCopy((Map<String, ?>) mm);
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(copyValue(x)));
      return out;
    }
    return v;
  }

  /** Overrides win; maps merge key by key; lists and scalars replace. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> over) {
    Map<String, Object> out = deepCopy(base);
    for (Map.Entry<String, Object> e : over.entrySet()) {
      Object b = out.get(e.getKey());
      Object o = e.getValue();
      if (b instanceof Map<?, ?> bm && o instanceof Map<?, ?> om) {
        out.put(e.getKey(), deepMerge((Map<String, Object>) bm, (Map<String, Object>) om));
      } else {
        out.put(e.getKey(), copyValue(o));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void putIfAbsent(Map<String, Object> m, String path, Object value) {
    int dot = path.indexOf('.');
    if (dot < 0) {
      m.putIfAbsent(path, value);
      return;
    }
    Object sub = m.get(path.substring(0, dot));
    if (sub instanceof Map<?, ?> sm) {
      putIfAbsent((Map<String, Object>) sm, path.substring(dot + 1), value);
    }
  }

  private static Object plain(Object v) {
    if (v instanceof Record r) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        try {
          m.put(c.getName(), plain(c.getAccessor().invoke(r)));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      return m;
    }
    if (v instanceof List<?> l) {
      return new ArrayList<>(l.stream().map(RunSpecParser::plain).toList());
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readTree(ObjectMapper mapper, String text, String what) {
    try {
      Object v = mapper.readValue(text, Object.class);
      if (v == null) {
        return new LinkedHashMap<>();
      }
      if (!(v instanceof Map<?, ?>)) {
        throw new SpecException(List.of("a run spec must be a " + what + " object, got " + show(v)));
      }
      return (Map<String, Object>) v;
    } catch (JsonProcessingException e) {
      throw new SpecException(List.of("run spec is not valid " + what + ": " + e.getOriginalMessage()));
    }
  }

  private static List<String> fieldNames(Class<?> type) {
    return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  static String show(Object v) {
    if (v instanceof String s) {
      return "'" + s + "'";
    }
    if (v instanceof Double d) {
      return fmt(d);
    }
    if (v instanceof Map<?, ?>) {
      return "an object";
    }
    if (v instanceof List<?>) {
      return "a list";
    }
    return String.valueOf(v);
  }

  static String fmt(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }

  /** The allowed name closest to a misspelt one, if it is plausibly a typo. */
  private static String closest(String key, List<String> allowed) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String a : allowed) {
      int d = distance(key.toLowerCase(), a.toLowerCase());
      if (d < bestD) {
        bestD = d;
        best = a;
      }
    }
    return bestD <= Math.max(1, Math.min(3, key.length() / 3)) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] tmp = prev;
      prev = cur;
      cur = tmp;
    }
    return prev[b.length()];
  }
}
