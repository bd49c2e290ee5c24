package io.llavascale.activities.store;

import io.llavascale.activities.lifecycle.LocalFolders;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Checkpoints of one stage under {@code runs/<runId>/<stage>/ckpt/step-<9 digits>/}. A checkpoint
 * exists only once its MANIFEST.json (written last) is there and its bytes match it; restore takes
 * the newest valid one and falls back to older ones.
 */
public final class CheckpointStore {
  public static final String STEP_PREFIX = "step-";
  private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)/");
  private static final Logger log = LoggerFactory.getLogger(CheckpointStore.class);

  /** A committed (manifest present) checkpoint; its bytes are verified only on restore. */
  public record Committed(long step, String prefix, String uri) {}

  private final ObjectStore store;
  private final String root;

  /** @param root key prefix of the checkpoint folders; a trailing '/' is added when missing */
  public CheckpointStore(ObjectStore store, String root) {
    this.store = Objects.requireNonNull(store, "store");
    this.root = root.endsWith("/") ? root : root + "/";
  }

  /** {@code runs/<runId>/<stage>/ckpt/} */
  public static CheckpointStore forStage(ObjectStore store, String runId, String stage) {
    return new CheckpointStore(store, StorePaths.stageRoot(runId, stage) + "ckpt/");
  }

  public static String stepFolderName(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("negative step " + step);
    }
    return String.format(Locale.ROOT, "%s%09d", STEP_PREFIX, step);
  }

  /** The step in a checkpoint key or URI such as {@code s3://b/runs/r/align/ckpt/step-000000120/}. */
  public static OptionalLong stepOf(String keyOrUri) {
    if (keyOrUri == null) {
      return OptionalLong.empty();
    }
    Matcher m = STEP_DIR.matcher(keyOrUri.endsWith("/") ? keyOrUri : keyOrUri + "/");
    long step = -1;
    while (m.find()) {
      step = Long.parseLong(m.group(1));
    }
    return step < 0 ? OptionalLong.empty() : OptionalLong.of(step);
  }

  public String root() {
    return root;
  }

  /** Key prefix of one step's folder, ending in '/'. */
  public String prefix(long step) {
    return root + stepFolderName(step) + "/";
  }

  public String uri(long step) {
    return store.uri(prefix(step));
  }

  /**
   * Uploads every file of {@code localFolder} to the step's folder, then MANIFEST.json last.
   * Re-committing a step first withdraws its old manifest, so readers never see a mix.
   *
   * @return the checkpoint's URI ({@code s3://bucket/.../step-000000042/})
   */
  public String commit(long step, Path localFolder) {
    String prefix = prefix(step);
    Manifest manifest = Manifest.ofFolder(localFolder);
    String manifestKey = prefix + Manifest.FILE_NAME;
    if (store.size(manifestKey).isPresent()) {
      store.delete(manifestKey);
    }
    manifest.uploadFiles(store, prefix, localFolder);
    Set<String> wanted = new HashSet<>();
    for (Manifest.Entry e : manifest.files()) {
      wanted.add(prefix + e.path());
    }
    // leftovers of an earlier, interrupted attempt at this step
    for (String key : store.list(prefix)) {
      if (!wanted.contains(key)) {
        store.delete(key);
      }
    }
    store.putBytes(manifestKey, manifest.toJson());
    String uri = store.uri(prefix);
    log.info("committed checkpoint {} ({} files, {} bytes)", uri, manifest.files().size(),
        manifest.totalBytes());
    return uri;
  }

  /** Committed checkpoints (manifest present), newest first. */
  public List<Committed> listCommitted() {
    List<Committed> out = new ArrayList<>();
    for (Map.Entry<Long, StepFolder> e : scan().descendingMap().entrySet()) {
      if (e.getValue().committed) {
        out.add(new Committed(e.getKey(), e.getValue().prefix, store.uri(e.getValue().prefix)));
      }
    }
    return out;
  }

  /**
   * Downloads and verifies (size and sha256) the newest committed checkpoint into {@code target},
   * falling back to older ones when a file is missing or corrupt. {@code target} is a scratch
   * folder: its contents are replaced.
   */
  public Optional<RestoredCheckpoint> restoreNewest(Path target) {
    for (Committed c : listCommitted()) {
      Optional<RestoredCheckpoint> r = tryRestore(c, target);
      if (r.isPresent()) {
        return r;
      }
    }
    LocalFolders.fresh(target);
    return Optional.empty();
  }

  /** Restores one specific committed step (verified), or empty when it is absent or invalid. */
  public Optional<RestoredCheckpoint> restore(long step, Path target) {
    String prefix = prefix(step);
    if (store.size(prefix + Manifest.FILE_NAME).isEmpty()) {
      return Optional.empty();
    }
    return tryRestore(new Committed(step, prefix, store.uri(prefix)), target);
  }

  private Optional<RestoredCheckpoint> tryRestore(Committed c, Path target) {
    LocalFolders.fresh(target);
    try {
      Manifest m = Manifest.fromJson(store.getBytes(c.prefix() + Manifest.FILE_NAME));
      for (Manifest.Entry e : m.files()) {
        String key = c.prefix() + e.path();
        Optional<Long> size = store.size(key);
        if (size.isEmpty()) {
          throw new Corrupt("missing " + store.uri(key));
        }
        if (size.get() != e.size()) {
          throw new Corrupt("size mismatch " + store.uri(key) + ": " + size.get() + " != " + e.size());
        }
        if (!store.getFile(key, target.resolve(e.path())).equals(e.sha256())) {
          throw new Corrupt("sha256 mismatch " + store.uri(key));
        }
      }
      log.info("restored checkpoint {} into {}", c.uri(), target);
      return Optional.of(new RestoredCheckpoint(c.step(), c.uri(), target));
    } catch (Corrupt | NoSuchKeyException | IllegalArgumentException e) {
      // Only damage makes us fall back; transient store errors propagate so the activity retries
      // instead of silently resuming from an older step.
      log.warn("checkpoint {} is not usable, trying an older one: {}", c.uri(), e.getMessage());
      LocalFolders.fresh(target);
      return Optional.empty();
    }
  }

  private static final class Corrupt extends RuntimeException {
    Corrupt(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Keeps the newest {@code keep} committed checkpoints (at least 1: the newest is never deleted)
   * and deletes older committed ones plus uncommitted folders older than the newest committed one
   * (uncommitted folders newer than it may be uploads in progress and are left alone).
   *
   * @return how many step folders were deleted
   */
  public int retain(int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be >= 1, got " + keep);
    }
    TreeMap<Long, StepFolder> folders = scan();
    List<Long> committed =
        folders.entrySet().stream()
            .filter(e -> e.getValue().committed)
            .map(Map.Entry::getKey)
            .sorted(Comparator.reverseOrder())
            .toList();
    if (committed.isEmpty()) {
      return 0;
    }
    long newest = committed.get(0);
    Set<Long> keepSteps = new HashSet<>(committed.subList(0, Math.min(keep, committed.size())));
    int deleted = 0;
    for (Map.Entry<Long, StepFolder> e : folders.entrySet()) {
      long step = e.getKey();
      if (keepSteps.contains(step) || step >= newest) {
        continue;
      }
      StepFolder f = e.getValue();
      if (f.committed) {
        // withdraw the commit marker first, so a crash mid-delete leaves an uncommitted folder
        store.delete(f.prefix + Manifest.FILE_NAME);
      }
      store.deletePrefix(f.prefix);
      deleted++;
    }
    if (deleted > 0) {
      log.info("retention under {} kept {} and deleted {} folders", store.uri(root),
          keepSteps.size(), deleted);
    }
    return deleted;
  }

  private static final class StepFolder {
    final String prefix;
    boolean committed;

    StepFolder(String prefix) {
      this.prefix = prefix;
    }
  }

  private TreeMap<Long, StepFolder> scan() {
    TreeMap<Long, StepFolder> folders = new TreeMap<>();
    for (String key : store.list(root)) {
      String rest = key.substring(root.length());
      Matcher m = STEP_DIR.matcher(rest);
      if (!m.lookingAt()) {
        continue;
      }
      long step = Long.parseLong(m.group(1));
      String prefix = root + m.group(0);
      StepFolder f = folders.computeIfAbsent(step, s -> new StepFolder(prefix));
      if (rest.substring(m.end()).equals(Manifest.FILE_NAME)) {
        f.committed = true;
      }
    }
    return folders;
  }

  @Override
  public String toString() {
    return "CheckpointStore[" + store.uri(root) + "]";
  }
}
