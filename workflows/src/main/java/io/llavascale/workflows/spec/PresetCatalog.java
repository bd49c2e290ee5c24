package io.llavascale.workflows.spec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bundled presets: one YAML file per preset under {@code presets/} on the classpath, versioned
 * with this jar, so a preset name always resolves to the same spec for a given build (which is what
 * lets the workflow resolve presets in deterministic code).
 *
 * <p>Naming scheme: {@code llava-<size>-<method>[-r<rank>]-<resolution>[-mix]} for the paper's
 * configurations (size 7b | 13b | 33b | 65b | 70b; method full | lora | qlora; rank only for
 * adapters; resolution 224 | 336; {@code -mix} = ShareGPT mixed into stage 2), and {@code
 * tiny-<method>[-<resolution>][-mix]} for the small models the JVM backend trains in minutes.
 * A tiny name without a resolution is a 224 px run on the demo dataset; one with a resolution
 * belongs to the resolution study and trains on the {@code detail} dataset (small objects and
 * counting), where 224 and 336 can differ.
 *
 * <p>Each file is a complete spec plus a top-level {@code description} that is metadata only.
 */
public final class PresetCatalog {
  /** The preset a bare start (the demo) uses. */
  public static final String DEFAULT = "tiny-full";

  /** Every bundled preset, in the order listings show them. */
  public static final List<String> NAMES =
      List.of(
          // in-JVM (DJL) backend: the demo, and Table 3a in miniature on the detail dataset
          "tiny-full",
          "tiny-full-mix",
          "tiny-full-224",
          "tiny-full-336",
          "tiny-full-336-mix",
          "tiny-lora",
          "tiny-qlora",
          // Table 4 rows (LLaVA-80K, 336 px, no mixing)
          "llava-7b-full-336",
          "llava-13b-lora-r64-336",
          "llava-13b-full-336",
          "llava-33b-lora-r8-336",
          "llava-33b-qlora-r64-336",
          "llava-33b-lora-r64-336",
          "llava-33b-full-336",
          "llava-65b-lora-r64-336",
          "llava-65b-full-336",
          // Table 3a resolution ablation (224 px)
          "llava-7b-full-224",
          "llava-13b-full-224",
          "llava-33b-full-224",
          "llava-65b-full-224",
          // Table 3a / Table 2 data mixing (336 px + ShareGPT)
          "llava-33b-full-336-mix",
          "llava-65b-full-336-mix",
          "llava-33b-lora-r64-336-mix",
          // Table 5: LLaMA-2-70B-Chat backbone
          "llava-70b-full-336");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, Map<String, Object>> CACHE =
      Collections.synchronizedMap(new LinkedHashMap<>());

  private PresetCatalog() {}

  /** A preset's fields (without its description), or empty when no such preset is bundled. */
  public static Optional<Map<String, Object>> find(String name) {
    if (name == null || !NAMES.contains(name)) {
      return Optional.empty();
    }
    return Optional.of(fields(name));
  }

  /** A preset's fields; throws SpecException naming the known presets when it does not exist. */
  public static Map<String, Object> load(String name) {
    return find(name)
        .orElseThrow(
            () -> new SpecException(List.of(unknownPresetMessage(name))));
  }

  /** A preset resolved and validated. */
  public static RunSpec spec(String name) {
    return RunSpecParser.parse(Map.of("preset", name));
  }

  /** One-line description of a preset (the file's {@code description}). */
  public static String description(String name) {
    Object d = raw(name).get("description");
    return d == null ? "" : d.toString().trim();
  }

  /** Name -> description, in {@link #NAMES} order. */
  public static Map<String, String> descriptions() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String n : NAMES) {
      out.put(n, description(n));
    }
    return out;
  }

  /**
   * Loads every preset now. Workers call this at start-up so the first workflow task does not pay
   * for YAML parsing and class loading inside the workflow thread.
   */
  public static void preload() {
    for (String n : NAMES) {
      raw(n);
    }
  }

  static String unknownPresetMessage(String name) {
    return "unknown preset '" + name + "' (known presets: " + String.join(", ", NAMES) + ")";
  }

  private static Map<String, Object> raw(String name) {
    synchronized (CACHE) {
      Map<String, Object> m = CACHE.get(name);
      if (m == null) {
        m = read(name);
        CACHE.put(name, m);
      }
      return m;
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> read(String name) {
    String resource = "presets/" + name + ".yaml";
    try (InputStream in = PresetCatalog.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("preset " + name + " is listed but " + resource + " is missing");
      }
      Map<String, Object> m = YAML.readValue(in, LinkedHashMap.class);
      return Collections.unmodifiableMap(m);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  /** The preset's fields with the metadata key removed. */
  static Map<String, Object> fields(String name) {
    Map<String, Object> m = RunSpecParser.deepCopy(raw(name));
    m.remove("description");
    return m;
  }

}
