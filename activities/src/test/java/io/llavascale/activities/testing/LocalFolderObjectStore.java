package io.llavascale.activities.testing;

import io.llavascale.activities.store.Manifest;
import io.llavascale.activities.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Test store: one bucket = one local folder. */
public final class LocalFolderObjectStore implements ObjectStore {
  private final Path root;
  private final String bucket;

  public LocalFolderObjectStore(Path root, String bucket) {
    this.root = root;
    this.bucket = bucket;
  }

  private Path path(String key) {
    Path p = root.resolve(key).normalize();
    if (!p.startsWith(root) || key.isEmpty()) {
      throw new IllegalArgumentException("bad key " + key);
    }
    return p;
  }

  @Override
  public String bucket() {
    return bucket;
  }

  @Override
  public void putBytes(String key, byte[] bytes) {
    try {
      Files.createDirectories(path(key).getParent());
      Files.write(path(key), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String putFile(String key, Path file) {
    try {
      Files.createDirectories(path(key).getParent());
      Files.copy(file, path(key), StandardCopyOption.REPLACE_EXISTING);
      return Manifest.sha256(path(key));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public byte[] getBytes(String key) {
    try {
      return Files.readAllBytes(path(key));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String getFile(String key, Path target) {
    try {
      Files.copy(path(key), target, StandardCopyOption.REPLACE_EXISTING);
      return Manifest.sha256(target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public InputStream open(String key) {
    try {
      return Files.newInputStream(path(key));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Optional<Long> size(String key) {
    Path p = root.resolve(key).normalize();
    try {
      return p.startsWith(root) && Files.isRegularFile(p) ? Optional.of(Files.size(p))
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(k -> k.startsWith(prefix))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void delete(String key) {
    try {
      Files.deleteIfExists(path(key));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void deletePrefix(String prefix) {
    for (String k : list(prefix)) {
      delete(k);
    }
  }

  /** Copies a local folder under a key prefix. */
  public void uploadFolder(Path folder, String prefix) {
    try (Stream<Path> s = Files.walk(folder)) {
      for (Path p : s.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList()) {
        putFile(prefix + folder.relativize(p).toString().replace('\\', '/'), p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
