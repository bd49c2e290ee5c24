package io.llavascale.activities.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3ObjectStoreTest {
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

  @Test
  void smallObjectsListAndDelete() throws Exception {
    ObjectStore store = s3.store;
    store.putBytes("t1/b", "bee".getBytes(StandardCharsets.UTF_8));
    store.putBytes("t1/a/x", "x".getBytes(StandardCharsets.UTF_8));
    store.putBytes("t1/a/y", new byte[0]);
    store.putBytes("t1x/other", new byte[] {1});
    assertEquals("bee", new String(store.getBytes("t1/b"), StandardCharsets.UTF_8));
    assertEquals(Optional.of(3L), store.size("t1/b"));
    assertEquals(Optional.of(0L), store.size("t1/a/y"));
    assertEquals(Optional.empty(), store.size("t1/nope"));
    assertEquals(List.of("t1/a/x", "t1/a/y", "t1/b"), store.list("t1/"));
    try (InputStream in = store.open("t1/a/x")) {
      assertEquals("x", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertEquals("s3://llava-test/t1/b", store.uri("t1/b"));
    store.delete("t1/b");
    assertEquals(Optional.empty(), store.size("t1/b"));
    store.deletePrefix("t1/");
    assertEquals(List.of(), store.list("t1/"));
    assertEquals(List.of("t1x/other"), store.list("t1x/"));
    assertThrows(RuntimeException.class, () -> store.getBytes("t1/nope"));
  }

  @Test
  void multipartUploadAndRangedDownload() throws Exception {
    // 12 MiB + a bit: three 5 MiB parts up, three ranges down
    byte[] data = S3TestSupport.randomBytes(12 * 1024 * 1024 + 123, 7);
    Path src = S3TestSupport.write(tmp.resolve("big.bin"), data);
    assertEquals(Manifest.sha256(src), s3.store.putFile("t2/big.bin", src));
    assertEquals(Optional.of((long) data.length), s3.store.size("t2/big.bin"));

    Path dst = S3TestSupport.write(tmp.resolve("out/big.bin"), "stale".getBytes());
    assertEquals(Manifest.sha256(src), s3.store.getFile("t2/big.bin", dst));
    assertArrayEquals(data, Files.readAllBytes(dst));
    assertEquals(Manifest.sha256(src), Manifest.sha256(dst));
    try (var files = Files.list(dst.getParent())) {
      assertEquals(1, files.count(), "no temp files left behind");
    }

    // small file through getFile: single GET
    Path small = S3TestSupport.write(tmp.resolve("s.txt"), "small".getBytes());
    s3.store.putFile("t2/s.txt", small);
    Path smallOut = tmp.resolve("deep/er/s.txt");
    s3.store.getFile("t2/s.txt", smallOut);
    assertEquals("small", Files.readString(smallOut));
  }

  @Test
  void s3Uris() {
    S3Uri u = S3Uri.parse("s3://bucket/runs/r1/align/ckpt/");
    assertEquals("bucket", u.bucket());
    assertEquals("runs/r1/align/ckpt/", u.key());
    assertEquals("s3://bucket/runs/r1/align/ckpt/", u.toString());
    assertEquals("s3://bucket/runs/r1/align/ckpt/x", u.resolve("x").toString());
    assertEquals("", S3Uri.parse("s3://bucket").key());
    assertEquals(u, S3Uri.parse(u.toString()));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("http://bucket/key"));
    assertTrue(e.getMessage().contains("'http://bucket/key'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("s3:///key"));
    assertTrue(e.getMessage().contains("'s3:///key'"), e.getMessage());
  }
}
