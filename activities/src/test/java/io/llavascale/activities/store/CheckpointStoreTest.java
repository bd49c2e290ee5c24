package io.llavascale.activities.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
  @TempDir static Path s3Dir;
  static S3TestSupport s3;

  @TempDir Path tmp;

  @BeforeAll
  static void up() {
    s3 = new S3TestSupport(s3Dir);
  }

  @AfterAll
  static void down() {
    s3.close();
  }

  CheckpointStore fresh() {
    return CheckpointStore.forStage(s3.store, "run-" + UUID.randomUUID(), "align");
  }

  /** A checkpoint folder whose content depends on the step. */
  Path localCheckpoint(long step) {
    Path dir = tmp.resolve("local-" + step);
    S3TestSupport.write(dir.resolve("weights.safetensors"), S3TestSupport.randomBytes(4096, step));
    S3TestSupport.write(dir.resolve("optim/adamw.safetensors"), S3TestSupport.randomBytes(2048, step + 100));
    S3TestSupport.write(
        dir.resolve("state.json"),
        ("{\"step\":" + step + "}").getBytes(StandardCharsets.UTF_8));
    return dir;
  }

  @Test
  void commitListRestore() throws Exception {
    CheckpointStore ckpt = fresh();
    assertTrue(ckpt.restoreNewest(tmp.resolve("r0")).isEmpty());
    String uri10 = ckpt.commit(10, localCheckpoint(10));
    String uri20 = ckpt.commit(20, localCheckpoint(20));
    assertTrue(uri20.endsWith("/align/ckpt/step-000000020/"), uri20);
    assertEquals(OptionalLong.of(20), CheckpointStore.stepOf(uri20));
    assertEquals(List.of(20L, 10L), ckpt.listCommitted().stream().map(CheckpointStore.Committed::step).toList());
    assertEquals(uri10, ckpt.listCommitted().get(1).uri());

    Path target = tmp.resolve("restore");
    S3TestSupport.write(target.resolve("junk.bin"), new byte[] {1, 2});
    RestoredCheckpoint r = ckpt.restoreNewest(target).orElseThrow();
    assertEquals(20, r.step());
    assertEquals(uri20, r.uri());
    assertFalse(Files.exists(target.resolve("junk.bin")), "target is cleared first");
    assertArrayEquals(
        Files.readAllBytes(localCheckpoint(20).resolve("optim/adamw.safetensors")),
        Files.readAllBytes(target.resolve("optim/adamw.safetensors")));
    assertEquals(Manifest.ofFolder(localCheckpoint(20)).files(), Manifest.ofFolder(target).files());

    assertEquals(10, ckpt.restore(10, tmp.resolve("r10")).orElseThrow().step());
    assertTrue(ckpt.restore(15, tmp.resolve("r15")).isEmpty());
  }

  @Test
  void folderWithoutManifestDoesNotExist() {
    CheckpointStore ckpt = fresh();
    ckpt.commit(5, localCheckpoint(5));
    // an upload that died before its manifest
    s3.store.putBytes(ckpt.prefix(7) + "weights.safetensors", new byte[] {9});
    assertEquals(List.of(5L), ckpt.listCommitted().stream().map(CheckpointStore.Committed::step).toList());
    assertEquals(5, ckpt.restoreNewest(tmp.resolve("t")).orElseThrow().step());
  }

  @Test
  void corruptNewestFallsBackToOlder() {
    CheckpointStore ckpt = fresh();
    ckpt.commit(1, localCheckpoint(1));
    ckpt.commit(2, localCheckpoint(2));
    ckpt.commit(3, localCheckpoint(3));
    // step 3: same size, different bytes (sha256 mismatch)
    s3.store.putBytes(ckpt.prefix(3) + "weights.safetensors", S3TestSupport.randomBytes(4096, 999));
    // step 2: truncated (size mismatch)
    s3.store.putBytes(ckpt.prefix(2) + "state.json", new byte[] {'{'});
    assertEquals(1, ckpt.restoreNewest(tmp.resolve("t")).orElseThrow().step());

    // a missing file also disqualifies
    s3.store.delete(ckpt.prefix(1) + "optim/adamw.safetensors");
    assertTrue(ckpt.restoreNewest(tmp.resolve("t")).isEmpty());
  }

  @Test
  void retentionKeepsNewestK() {
    CheckpointStore ckpt = fresh();
    for (long step = 1; step <= 5; step++) {
      ckpt.commit(step * 10, localCheckpoint(step * 10));
    }
    s3.store.putBytes(ckpt.prefix(25) + "weights.safetensors", new byte[] {1}); // stale, uncommitted
    s3.store.putBytes(ckpt.prefix(60) + "weights.safetensors", new byte[] {1}); // in progress
    assertEquals(4, ckpt.retain(2));
    assertEquals(List.of(50L, 40L), ckpt.listCommitted().stream().map(CheckpointStore.Committed::step).toList());
    assertTrue(s3.store.list(ckpt.prefix(25)).isEmpty());
    assertFalse(s3.store.list(ckpt.prefix(60)).isEmpty());
    assertEquals(0, ckpt.retain(2));
    ckpt.retain(1);
    assertEquals(List.of(50L), ckpt.listCommitted().stream().map(CheckpointStore.Committed::step).toList());
    assertThrows(IllegalArgumentException.class, () -> ckpt.retain(0));
    assertEquals(50, ckpt.restoreNewest(tmp.resolve("t")).orElseThrow().step());
  }

  @Test
  void recommitReplacesLeftovers() {
    CheckpointStore ckpt = fresh();
    s3.store.putBytes(ckpt.prefix(8) + "leftover.bin", new byte[] {1});
    ckpt.commit(8, localCheckpoint(8));
    assertFalse(s3.store.list(ckpt.prefix(8)).contains(ckpt.prefix(8) + "leftover.bin"));
    ckpt.commit(8, localCheckpoint(8));
    assertEquals(Optional.of(8L), ckpt.restoreNewest(tmp.resolve("t")).map(RestoredCheckpoint::step));
  }
}
