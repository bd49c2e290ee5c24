package io.llavascale.activities.dataprep;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Counts per dataset and the quarantine log (streamed to a local jsonl file, one line per bad
 * record: {@code {"dataset", "index", "id", "reason", "detail"}}). Memory: a few counters and a
 * reason histogram per dataset; nothing per record.
 */
final class PrepReport implements AutoCloseable {
  static final class Stats {
    final String name;
    final String uri;
    long available = -1;
    long expected = -1;
    long in;
    long kept;
    long quarantined;
    final Map<String, Long> reasons = new TreeMap<>();
    String firstDetail;

    Stats(String name, String uri) {
      this.name = name;
      this.uri = uri;
    }

    double badFraction() {
      return in == 0 ? 0 : (double) quarantined / in;
    }

    String topReasons(int n) {
      return reasons.entrySet().stream()
          .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
          .limit(n)
          .map(e -> e.getKey() + " x" + e.getValue())
          .collect(Collectors.joining(", "));
    }
  }

  private final Map<String, Stats> datasets = new LinkedHashMap<>();
  private final Path quarantineFile;
  private final OutputStream quarantineOut;
  private final JsonGenerator quarantine;
  final Map<String, Object> extra = new LinkedHashMap<>();

  PrepReport(Path quarantineFile) throws IOException {
    this.quarantineFile = quarantineFile;
    this.quarantineOut = Files.newOutputStream(quarantineFile);
    this.quarantine = new JsonFactory().createGenerator(quarantineOut, JsonEncoding.UTF8);
    quarantine.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
  }

  Stats dataset(String name, String uri) {
    return datasets.computeIfAbsent(name, n -> new Stats(n, uri));
  }

  Stats get(String name) {
    return datasets.get(name);
  }

  void kept(Stats s) {
    s.in++;
    s.kept++;
  }

  void quarantine(Stats s, long index, String id, String reason, String detail)
      throws IOException {
    s.in++;
    s.quarantined++;
    s.reasons.merge(reason, 1L, Long::sum);
    if (s.firstDetail == null) {
      s.firstDetail = "record " + index + (id == null ? "" : " (id " + id + ")") + ": " + detail;
    }
    quarantine.writeStartObject();
    quarantine.writeStringField("dataset", s.name);
    quarantine.writeNumberField("index", index);
    if (id == null) {
      quarantine.writeNullField("id");
    } else {
      quarantine.writeStringField("id", id);
    }
    quarantine.writeStringField("reason", reason);
    quarantine.writeStringField("detail", detail);
    quarantine.writeEndObject();
  }

  long total(java.util.function.ToLongFunction<Stats> f) {
    return datasets.values().stream().mapToLong(f).sum();
  }

  Path quarantineFile() throws IOException {
    quarantine.flush();
    return quarantineFile;
  }

  byte[] toJson(String runId, String status, String failure) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("runId", runId);
    root.put("status", status);
    if (failure != null) {
      root.put("failure", failure);
    }
    root.put("recordsIn", total(s -> s.in));
    root.put("kept", total(s -> s.kept));
    root.put("quarantined", total(s -> s.quarantined));
    Map<String, Long> all = new TreeMap<>();
    Map<String, Object> per = new LinkedHashMap<>();
    for (Stats s : datasets.values()) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("uri", s.uri);
      if (s.available >= 0) {
        d.put("available", s.available);
      }
      d.put("recordsIn", s.in);
      d.put("kept", s.kept);
      d.put("quarantined", s.quarantined);
      d.put("badFraction", s.badFraction());
      d.put("reasons", s.reasons);
      per.put(s.name, d);
      s.reasons.forEach((k, v) -> all.merge(k, v, Long::sum));
    }
    root.put("reasons", all);
    root.put("datasets", per);
    root.putAll(extra);
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(root);
  }

  List<Stats> all() {
    return List.copyOf(datasets.values());
  }

  @Override
  public void close() throws IOException {
    quarantine.close();
    quarantineOut.close();
  }
}
