package io.llavascale.activities.external;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.lifecycle.LocalFolders;
import io.llavascale.activities.store.CheckpointStore;
import io.llavascale.activities.store.RestoredCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a trainer's {@code output_dir/checkpoint-N} folders and the stage's S3 checkpoints in step.
 *
 * <p>Upload: a folder is complete once it holds {@code trainer_state.json} (the Hugging Face
 * Trainer writes it after the weights and optimizer state), or once a newer folder exists (saving
 * is synchronous, so the trainer finished it before training on), or when the trainer exited
 * cleanly. The newest complete folder not yet uploaded is hard-linked into a staging folder (the
 * trainer's own {@code save_total_limit} rotation cannot pull files from under the upload),
 * completed with what the reference leaves out, and committed under the manifest contract; a
 * failed upload leaves no manifest and is tried again on the next sync.
 *
 * <p>Restore: the newest valid committed checkpoint goes back to {@code output_dir/checkpoint-N},
 * where the reference code's resume (newest {@code checkpoint-*}) takes it.
 */
public final class CheckpointSync {
  public static final String TRAINER_STATE = "trainer_state.json";
  private static final Pattern FOLDER = Pattern.compile("checkpoint-(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(CheckpointSync.class);

  private final Path outputDir;
  private final Path staging;
  private final CheckpointStore checkpoints;
  private final int keep;
  private final String label;
  private long uploadedStep;
  private volatile String lastUri = "";

  /**
   * @param staging  a folder on the same file system as {@code outputDir}, owned by this sync
   * @param keep     S3 retention (checkpoint.keep)
   */
  public CheckpointSync(Path outputDir, Path staging, CheckpointStore checkpoints, int keep, String label) {
    this.outputDir = outputDir;
    this.staging = staging;
    this.checkpoints = checkpoints;
    this.keep = keep;
    this.label = label;
  }

  /** The folder name the reference code writes for a step. */
  public static String folderName(long step) {
    return "checkpoint-" + step;
  }

  /**
   * Restores the newest valid committed checkpoint into {@code output_dir/checkpoint-N}.
   *
   * @return its step and URI, or empty when none is committed (a fresh start)
   */
  public Optional<RestoredCheckpoint> restore() throws IOException {
    Path landing = staging.resolve("restore");
    Optional<RestoredCheckpoint> restored = checkpoints.restoreNewest(landing);
    if (restored.isPresent()) {
      Files.createDirectories(outputDir);
      Path folder = outputDir.resolve(folderName(restored.get().step()));
      Files.move(landing, folder);
      uploadedStep = restored.get().step();
      lastUri = restored.get().uri();
      return Optional.of(new RestoredCheckpoint(restored.get().step(), restored.get().uri(), folder));
    }
    LocalFolders.delete(landing);
    return Optional.empty();
  }

  /** URI of the newest committed checkpoint ("" before the first). */
  public String lastUri() {
    return lastUri;
  }

  /** Step of the newest committed checkpoint (the restored one until an upload). */
  public synchronized long uploadedStep() {
    return uploadedStep;
  }

  /**
   * Uploads the newest complete checkpoint not yet committed; safe to call often.
   *
   * @param exitedCleanly true once the trainer exited with status 0: its newest folder is final
   * @param progress      what the trainer logged, for a trainer_state.json the reference left out
   * @return true when a checkpoint was committed by this call
   */
  public synchronized boolean sync(boolean exitedCleanly, Supplier<TrainerLog.Progress> progress) {
    TreeMap<Long, Path> folders = folders();
    Long newest = newestComplete(folders, exitedCleanly);
    if (newest == null || newest <= uploadedStep) {
      return false;
    }
    Path uploads = staging.resolve("upload");
    Path stage = uploads.resolve(folderName(newest));
    Path ready = uploads.resolve(folderName(newest) + ".ready");
    try {
      if (!Files.exists(ready)) {
        // Staged copies of older steps whose upload failed are superseded by this one.
        LocalFolders.fresh(uploads);
        link(folders.get(newest), stage);
        addTrainerState(stage, newest, progress.get());
        Files.createFile(ready);
      }
      String uri = checkpoints.commit(newest, stage);
      int pruned = checkpoints.retain(keep);
      LocalFolders.delete(uploads);
      uploadedStep = newest;
      lastUri = uri;
      log.info("{}: checkpoint committed step={} uri={} pruned={}", label, newest, uri, pruned);
      return true;
    } catch (NoSuchFileException gone) {
      // The trainer's rotation removed it before we linked it; a newer one follows.
      log.warn("{}: {} vanished before upload: {}", label, folderName(newest), gone.getMessage());
      LocalFolders.delete(uploads);
      return false;
    } catch (IOException | RuntimeException e) {
      // Store outage or a partial upload: no manifest was written, so nothing half-done exists.
      log.warn("{}: upload of {} failed, will retry: {}", label, folderName(newest), e.toString());
      return false;
    }
  }

  /**
   * The attempt's last sync: a failed upload is tried again (with a growing pause) so that a short
   * store outage at the very end does not leave the newest checkpoint only on this node's disk.
   *
   * @return true when the newest complete checkpoint is committed
   */
  public boolean flush(boolean exitedCleanly, Supplier<TrainerLog.Progress> progress, int attempts,
      Duration firstPause) throws InterruptedException {
    Duration pause = firstPause;
    for (int attempt = 1; ; attempt++) {
      sync(exitedCleanly, progress);
      if (upToDate(exitedCleanly) || attempt >= attempts) {
        return upToDate(exitedCleanly);
      }
      Thread.sleep(pause.toMillis());
      pause = pause.multipliedBy(2);
    }
  }

  private synchronized boolean upToDate(boolean exitedCleanly) {
    Long newest = newestComplete(folders(), exitedCleanly);
    return newest == null || newest <= uploadedStep;
  }

  private static Long newestComplete(TreeMap<Long, Path> folders, boolean exitedCleanly) {
    for (Map.Entry<Long, Path> e : folders.descendingMap().entrySet()) {
      boolean complete = Files.exists(e.getValue().resolve(TRAINER_STATE))
          || !e.getKey().equals(folders.lastKey()) || exitedCleanly;
      if (complete) {
        return e.getKey();
      }
    }
    return null;
  }

  private TreeMap<Long, Path> folders() {
    TreeMap<Long, Path> out = new TreeMap<>();
    if (!Files.isDirectory(outputDir)) {
      return out;
    }
    try (Stream<Path> list = Files.list(outputDir)) {
      for (Path p : (Iterable<Path>) list::iterator) {
        Matcher m = FOLDER.matcher(p.getFileName().toString());
        if (m.matches() && Files.isDirectory(p)) {
          out.put(Long.parseLong(m.group(1)), p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + outputDir, e);
    }
    return out;
  }

  /** Hard links every file (same inode, no copy), so the trainer deleting its folder is harmless. */
  private static void link(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(from)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    for (Path f : files) {
      Path target = to.resolve(from.relativize(f).toString());
      Files.createDirectories(target.getParent());
      Files.createLink(target, f);
    }
  }

  /**
   * The reference stage 1 saves only config.json and mm_projector.bin per checkpoint; the step
   * and epoch it stood at go with it, in the Trainer's own trainer_state.json format.
   */
  private static void addTrainerState(Path stage, long step, TrainerLog.Progress p) throws IOException {
    Path state = stage.resolve(TRAINER_STATE);
    if (Files.exists(state)) {
      return;
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("global_step", step);
    json.put("max_steps", p.totalSteps());
    json.put("epoch", p.epoch());
    json.put("log_history", List.of());
    JSON.writeValue(state.toFile(), json);
  }
}
