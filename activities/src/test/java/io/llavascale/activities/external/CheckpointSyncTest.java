package io.llavascale.activities.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llavascale.activities.store.CheckpointStore;
import io.llavascale.activities.store.ObjectStore;
import io.llavascale.activities.store.RestoredCheckpoint;
import io.llavascale.activities.testing.LocalFolderObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which checkpoint-N folders go up, what they carry, and how a retry gets them back. */
class CheckpointSyncTest {
  @TempDir Path dir;
  CheckpointStore checkpoints;
  Path output;
  TrainerLog log = new TrainerLog(0);
  final AtomicInteger failingPuts = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    LocalFolderObjectStore local = new LocalFolderObjectStore(Files.createDirectories(dir.resolve("bucket")), "b");
    // Every upload goes through here; a test switches on failing uploads to stand for an outage.
    ObjectStore store = (ObjectStore) Proxy.newProxyInstance(ObjectStore.class.getClassLoader(),
        new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
          if (method.getName().startsWith("put") && failingPuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new UncheckedIOException(new IOException("injected outage: " + args[0]));
          }
          try {
            return method.invoke(local, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    checkpoints = CheckpointStore.forStage(store, "run", "stage1");
    output = Files.createDirectories(dir.resolve("output"));
  }

  @Test
  void onlyCompleteFoldersAreCommittedAndTheReferenceStageOneGetsItsTrainerState() throws Exception {
    CheckpointSync sync = new CheckpointSync(output, dir.resolve("sync"), checkpoints, 2, "test");
    write(5, true);
    assertTrue(sync.sync(false, log::progress));
    write(10, false); // stage 1 of the reference: config.json and mm_projector.bin only
    assertFalse(sync.sync(false, log::progress), "the newest folder may still be written");
    assertEquals(List.of(5L), steps());

    log.accept("{'loss': 0.5, 'learning_rate': 1e-4, 'epoch': 0.25}");
    write(15, false);
    assertTrue(sync.sync(false, log::progress), "a newer folder means the trainer finished checkpoint-10");
    assertEquals(List.of(10L, 5L), steps());
    Path restoredTen = dir.resolve("ten");
    checkpoints.restore(10, restoredTen).orElseThrow();
    Map<?, ?> state = new ObjectMapper().readValue(restoredTen.resolve(CheckpointSync.TRAINER_STATE).toFile(), Map.class);
    assertEquals(10, state.get("global_step"));
    assertEquals(0.25, state.get("epoch"));
    assertEquals("projector-10", Files.readString(restoredTen.resolve("mm_projector.bin")));

    assertFalse(sync.sync(false, log::progress));
    assertTrue(sync.sync(true, log::progress), "a clean exit makes the last folder final");
    assertEquals(List.of(15L, 10L), steps(), "keep 2");
    assertTrue(sync.lastUri().endsWith("step-000000015/"), sync.lastUri());
  }

  @Test
  void aRetryFindsTheNewestCommittedCheckpointWhereTheTrainerResumes() throws Exception {
    CheckpointSync first = new CheckpointSync(output, dir.resolve("sync"), checkpoints, 2, "test");
    write(20, true);
    assertTrue(first.sync(false, log::progress));
    write(30, false); // never completed: the trainer died writing it

    Path fresh = dir.resolve("attempt2/output");
    CheckpointSync retry = new CheckpointSync(fresh, dir.resolve("attempt2/sync"), checkpoints, 2, "test");
    RestoredCheckpoint restored = retry.restore().orElseThrow();
    assertEquals(20, restored.step());
    assertEquals(fresh.resolve("checkpoint-20"), restored.localFolder());
    assertEquals("projector-20", Files.readString(fresh.resolve("checkpoint-20/mm_projector.bin")));
    assertEquals(20, retry.uploadedStep());
    assertFalse(retry.sync(false, log::progress), "the restored checkpoint is not uploaded again");
  }

  @Test
  void theLastSyncOfAnAttemptRidesOutAShortOutage() throws Exception {
    CheckpointSync sync = new CheckpointSync(output, dir.resolve("sync"), checkpoints, 2, "test");
    write(40, false);
    failingPuts.set(3);
    assertFalse(sync.flush(true, log::progress, 1, Duration.ZERO), "one try during the outage commits nothing");
    assertEquals(List.of(), steps(), "a failed upload leaves no checkpoint behind");
    assertTrue(sync.flush(true, log::progress, 5, Duration.ofMillis(1)), "later tries get through");
    assertEquals(0, failingPuts.get());
    assertEquals(List.of(40L), steps());
    assertTrue(sync.flush(true, log::progress, 1, Duration.ZERO), "nothing left to upload");
  }

  private void write(long step, boolean withTrainerState) throws Exception {
    Path folder = Files.createDirectories(output.resolve("checkpoint-" + step));
    Files.writeString(folder.resolve("config.json"), "{}");
    Files.writeString(folder.resolve("mm_projector.bin"), "projector-" + step);
    if (withTrainerState) {
      Files.writeString(folder.resolve(CheckpointSync.TRAINER_STATE), "{\"global_step\": " + step + "}");
    }
  }

  private List<Long> steps() {
    return checkpoints.listCommitted().stream().map(CheckpointStore.Committed::step).toList();
  }
}
