package io.llavascale.activities.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stage's output under {@code runs/<runId>/<stage>/output/}: files, {@code result.json} (the
 * stage's small result value, Jackson) and MANIFEST.json written last. The stage is done exactly
 * when the manifest exists and verifies; that is what run-level resume reads.
 */
public final class StageOutputs {
  public static final String RESULT_FILE = "result.json";
  private static final Logger log = LoggerFactory.getLogger(StageOutputs.class);

  /** Jackson setup for results: Java time and Optional supported, unknown fields tolerated. */
  public static final ObjectMapper DEFAULT_MAPPER =
      JsonMapper.builder()
          .findAndAddModules()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private final ObjectStore store;
  private final String root;
  private final ObjectMapper mapper;

  public StageOutputs(ObjectStore store, String root, ObjectMapper mapper) {
    this.store = Objects.requireNonNull(store, "store");
    this.root = root.endsWith("/") ? root : root + "/";
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /** {@code runs/<runId>/<stage>/output/} */
  public static StageOutputs forStage(ObjectStore store, String runId, String stage) {
    return new StageOutputs(store, StorePaths.stageRoot(runId, stage) + "output/", DEFAULT_MAPPER);
  }

  /** Key prefix, ending in '/'. */
  public String root() {
    return root;
  }

  /** s3://bucket/runs/.../output/ */
  public String uri() {
    return store.uri(root);
  }

  /** The key for a file of this output, e.g. {@code key("shards/shard-00003.bin")}. */
  public String key(String relativePath) {
    Manifest.checkRelativePath(relativePath);
    return root + relativePath;
  }

  /**
   * Uploads every file of {@code localFolder} (may be null for a result-only output), then
   * result.json, then MANIFEST.json. An earlier manifest is withdrawn first.
   *
   * @return the output's URI
   */
  public String commit(Path localFolder, Object result) {
    withdraw();
    List<Manifest.Entry> entries = new ArrayList<>();
    if (localFolder != null) {
      Manifest files = Manifest.ofFolder(localFolder);
      if (files.entry(RESULT_FILE).isPresent()) {
        throw new IllegalArgumentException(
            localFolder + " contains " + RESULT_FILE + ", which the output reserves");
      }
      files.uploadFiles(store, root, localFolder);
      entries.addAll(files.files());
    }
    return finish(entries, result);
  }

  /**
   * Commits objects the caller already uploaded under this output (full keys), computing each
   * sha256 by streaming the object back.
   */
  public String commitUploaded(List<String> keys, Object result) {
    keys.forEach(this::checkUploadedKey);
    Map<String, String> digests = new LinkedHashMap<>();
    for (String key : keys) {
      try (InputStream in = store.open(key)) {
        digests.put(key, Manifest.sha256(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + store.uri(key), e);
      }
    }
    return commitUploadedWithDigests(digests, result);
  }

  /** Commits objects the caller already uploaded, with the sha256 (hex) it computed for each. */
  public String commitUploadedWithDigests(Map<String, String> sha256ByKey, Object result) {
    withdraw();
    List<Manifest.Entry> entries = new ArrayList<>();
    for (Map.Entry<String, String> e : sha256ByKey.entrySet()) {
      String key = e.getKey();
      String rel = checkUploadedKey(key);
      long size =
          store.size(key).orElseThrow(
              () -> new IllegalStateException("uploaded object is missing: " + store.uri(key)));
      entries.add(new Manifest.Entry(rel, size, e.getValue().toLowerCase(java.util.Locale.ROOT)));
    }
    return finish(entries, result);
  }

  /** @return the key relative to the output root */
  private String checkUploadedKey(String key) {
    if (!key.startsWith(root)) {
      throw new IllegalArgumentException(
          "uploaded key " + key + " is not under this output (" + root + ")");
    }
    String rel = key.substring(root.length());
    Manifest.checkRelativePath(rel);
    if (rel.equals(RESULT_FILE) || rel.equals(Manifest.FILE_NAME)) {
      throw new IllegalArgumentException("uploaded key " + key + " uses a reserved name");
    }
    return rel;
  }

  private String finish(List<Manifest.Entry> entries, Object result) {
    byte[] json;
    try {
      json = mapper.writeValueAsBytes(result);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot serialize stage result " + result, e);
    }
    store.putBytes(root + RESULT_FILE, json);
    List<Manifest.Entry> all = new ArrayList<>(entries);
    all.add(new Manifest.Entry(RESULT_FILE, json.length, Manifest.sha256(json)));
    Manifest manifest = Manifest.of(all);
    store.putBytes(root + Manifest.FILE_NAME, manifest.toJson());
    log.info("committed stage output {} ({} files)", uri(), all.size());
    return uri();
  }

  /** Removes the commit marker (the files stay until overwritten or {@link #deleteAll}). */
  public void withdraw() {
    String manifestKey = root + Manifest.FILE_NAME;
    if (store.size(manifestKey).isPresent()) {
      store.delete(manifestKey);
    }
  }

  /** Deletes the whole output, manifest first. */
  public void deleteAll() {
    withdraw();
    store.deletePrefix(root);
  }

  /** The manifest, if one is present (not verified). */
  public Optional<Manifest> manifest() {
    String key = root + Manifest.FILE_NAME;
    if (store.size(key).isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Manifest.fromJson(store.getBytes(key)));
    } catch (IllegalArgumentException malformed) {
      log.warn("malformed manifest {}: {}", store.uri(key), malformed.getMessage());
      return Optional.empty();
    }
  }

  /** Committed and every listed file present with its size. */
  public boolean isCommitted() {
    return manifest().map(m -> m.verify(store, root, false).ok()).orElse(false);
  }

  /** The result when the output is committed and its files have the listed sizes. */
  public <T> Optional<T> readCommitted(Class<T> type) {
    return readCommitted(type, false);
  }

  /**
   * The result when the output is committed and verifies (sizes; with {@code verifySha256} also
   * every file's digest, which streams the whole output back). result.json's digest is always
   * checked. Empty otherwise.
   */
  public <T> Optional<T> readCommitted(Class<T> type, boolean verifySha256) {
    Optional<Manifest> manifest = manifest();
    if (manifest.isEmpty()) {
      return Optional.empty();
    }
    Manifest m = manifest.get();
    Optional<Manifest.Entry> resultEntry = m.entry(RESULT_FILE);
    if (resultEntry.isEmpty()) {
      log.warn("stage output {} has a manifest without {}", uri(), RESULT_FILE);
      return Optional.empty();
    }
    Manifest.Verification v = m.verify(store, root, verifySha256);
    if (!v.ok()) {
      log.warn("stage output {} does not verify: {}", uri(), v.problems());
      return Optional.empty();
    }
    byte[] json = store.getBytes(root + RESULT_FILE);
    if (!Manifest.sha256(json).equals(resultEntry.get().sha256())) {
      log.warn("stage output {}: {} does not match its digest", uri(), RESULT_FILE);
      return Optional.empty();
    }
    try {
      return Optional.of(mapper.readValue(json, type));
    } catch (IOException e) {
      throw new IllegalStateException(
          "committed " + store.uri(root + RESULT_FILE) + " is not a " + type.getSimpleName(), e);
    }
  }

  @Override
  public String toString() {
    return "StageOutputs[" + uri() + "]";
  }
}
