package io.llavascale.activities.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageOutputsTest {
  @TempDir static Path s3Dir;
  static S3TestSupport s3;

  @TempDir Path tmp;

  public record PrepResult(String shardsUri, long records, List<String> shards) {}

  @BeforeAll
  static void up() {
    s3 = new S3TestSupport(s3Dir);
  }

  @AfterAll
  static void down() {
    s3.close();
  }

  StageOutputs fresh() {
    return StageOutputs.forStage(s3.store, "run-" + UUID.randomUUID(), "dataprep");
  }

  @Test
  void commitAndRead() {
    StageOutputs out = fresh();
    assertEquals(Optional.empty(), out.readCommitted(PrepResult.class));
    Path folder = tmp.resolve("out");
    S3TestSupport.write(folder.resolve("tokenizer.json"), "{}".getBytes(StandardCharsets.UTF_8));
    S3TestSupport.write(folder.resolve("shards/s-0.bin"), S3TestSupport.randomBytes(1000, 1));
    PrepResult result = new PrepResult(out.uri() + "shards/", 42, List.of("s-0.bin"));
    String uri = out.commit(folder, result);
    assertTrue(uri.endsWith("/dataprep/output/"), uri);
    assertTrue(out.isCommitted());
    assertEquals(Optional.of(result), out.readCommitted(PrepResult.class));
    assertEquals(Optional.of(result), out.readCommitted(PrepResult.class, true));
    assertEquals(3, out.manifest().orElseThrow().files().size());

    // a file vanishing later un-commits the stage
    s3.store.delete(out.key("shards/s-0.bin"));
    assertFalse(out.isCommitted());
    assertEquals(Optional.empty(), out.readCommitted(PrepResult.class));
  }

  @Test
  void halfWrittenOutputIsNotCommitted() {
    StageOutputs out = fresh();
    s3.store.putBytes(out.key("shards/s-0.bin"), new byte[] {1, 2, 3});
    s3.store.putBytes(out.root() + StageOutputs.RESULT_FILE, "{\"records\":1}".getBytes());
    assertFalse(out.isCommitted());
    assertEquals(Optional.empty(), out.readCommitted(PrepResult.class));
  }

  @Test
  void commitUploadedKeys() {
    StageOutputs out = fresh();
    String k0 = out.key("shards/s-0.bin");
    String k1 = out.key("shards/s-1.bin");
    s3.store.putBytes(k0, S3TestSupport.randomBytes(300, 3));
    s3.store.putBytes(k1, S3TestSupport.randomBytes(500, 4));
    PrepResult result = new PrepResult(out.uri(), 2, List.of(k0, k1));
    out.commitUploaded(List.of(k0, k1), result);
    assertEquals(Optional.of(result), out.readCommitted(PrepResult.class, true));

    // precomputed digests: a wrong one passes the size check but not the sha256 check
    StageOutputs out2 = fresh();
    String k = out2.key("a.bin");
    byte[] bytes = S3TestSupport.randomBytes(64, 5);
    s3.store.putBytes(k, bytes);
    out2.commitUploadedWithDigests(Map.of(k, Manifest.sha256(new byte[64])), result);
    assertTrue(out2.readCommitted(PrepResult.class, false).isPresent());
    assertTrue(out2.readCommitted(PrepResult.class, true).isEmpty());
    out2.commitUploadedWithDigests(Map.of(k, Manifest.sha256(bytes)), result);
    assertTrue(out2.readCommitted(PrepResult.class, true).isPresent());

    assertThrows(
        IllegalArgumentException.class,
        () -> out2.commitUploaded(List.of("runs/elsewhere/x.bin"), result));
  }
}
