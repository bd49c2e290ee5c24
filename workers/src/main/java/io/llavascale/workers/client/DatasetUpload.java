package io.llavascale.workers.client;

import io.llavascale.activities.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** Uploads a local dataset folder (JSON, images) to a prefix in the bucket, skipping what is there. */
public final class DatasetUpload {
  private DatasetUpload() {}

  /** @return files uploaded (files already present with the same size are skipped) */
  public static int upload(ObjectStore store, Path folder, String prefix) {
    String root = prefix.endsWith("/") ? prefix : prefix + "/";
    int uploaded = 0;
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
        String key = root + folder.relativize(file).toString().replace('\\', '/');
        Optional<Long> existing = store.size(key);
        if (existing.isPresent() && existing.get() == Files.size(file)) {
          continue;
        }
        store.putFile(key, file);
        uploaded++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return uploaded;
  }
}
