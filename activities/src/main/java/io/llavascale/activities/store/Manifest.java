package io.llavascale.activities.store;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * MANIFEST.json: every file of a committed folder with its size and sha256. Written last, it is
 * the commit marker of a checkpoint or a stage output; a folder without one does not exist.
 * Paths are relative to the folder, with '/' separators.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(int formatVersion, String created, List<Entry> files) {
  public static final String FILE_NAME = "MANIFEST.json";
  public static final int FORMAT_VERSION = 1;

  static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Entry(String path, long size, String sha256) {
    public Entry {
      checkRelativePath(path);
      if (size < 0) {
        throw new IllegalArgumentException("negative size for " + path);
      }
      Objects.requireNonNull(sha256, "sha256 of " + path);
    }
  }

  /** What {@link #verify} found; empty problems means the manifest holds. */
  public record Verification(List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  public Manifest {
    files = List.copyOf(files);
    Set<String> seen = new HashSet<>();
    for (Entry e : files) {
      if (!seen.add(e.path())) {
        throw new IllegalArgumentException("duplicate manifest path " + e.path());
      }
    }
  }

  public static Manifest of(List<Entry> entries) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(Entry::path));
    return new Manifest(FORMAT_VERSION, Instant.now().toString(), sorted);
  }

  /** Every regular file under {@code folder} (recursive), except a top-level MANIFEST.json. */
  public static Manifest ofFolder(Path folder) {
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
        String rel = relativePath(folder, p);
        if (rel.equals(FILE_NAME)) {
          continue;
        }
        entries.add(new Entry(rel, Files.size(p), sha256(p)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read folder " + folder, e);
    }
    return of(entries);
  }

  static String relativePath(Path folder, Path file) {
    return folder.relativize(file).toString().replace(folder.getFileSystem().getSeparator(), "/");
  }

  static void checkRelativePath(String path) {
    if (path == null
        || path.isEmpty()
        || path.startsWith("/")
        || path.contains("\\")
        || Set.of(path.split("/")).contains("..")
        || path.endsWith("/")) {
      throw new IllegalArgumentException("invalid manifest path '" + path + "'");
    }
  }

  public Optional<Entry> entry(String path) {
    return files.stream().filter(e -> e.path().equals(path)).findFirst();
  }

  @JsonIgnore
  public long totalBytes() {
    return files.stream().mapToLong(Entry::size).sum();
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses a manifest; a malformed one is an {@link IllegalArgumentException}. */
  public static Manifest fromJson(byte[] json) {
    try {
      Manifest m = JSON.readValue(json, Manifest.class);
      if (m.files() == null) {
        throw new IllegalArgumentException("manifest has no files list");
      }
      return m;
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed manifest: " + e.getMessage(), e);
    }
  }

  /**
   * Uploads every listed file from {@code folder} to {@code prefix} and checks that the bytes sent
   * are the ones this manifest records (a file rewritten after the manifest was made would
   * otherwise be committed under a wrong digest).
   */
  public void uploadFiles(ObjectStore store, String prefix, Path folder) {
    for (Entry e : files) {
      String sent = store.putFile(prefix + e.path(), folder.resolve(e.path()));
      if (!sent.equals(e.sha256())) {
        throw new IllegalStateException(folder.resolve(e.path()) + " changed after its manifest entry was made"
            + " (sha256 " + sent + " uploaded, " + e.sha256() + " recorded)");
      }
    }
  }

  /**
   * Checks every listed file exists under {@code prefix} with its size; with {@code checkSha256},
   * also streams each object back and compares digests.
   */
  public Verification verify(ObjectStore store, String prefix, boolean checkSha256) {
    List<String> problems = new ArrayList<>();
    for (Entry e : files) {
      String key = prefix + e.path();
      Optional<Long> size = store.size(key);
      if (size.isEmpty()) {
        problems.add("missing " + store.uri(key));
        continue;
      }
      if (size.get() != e.size()) {
        problems.add(
            "size mismatch " + store.uri(key) + ": " + size.get() + " != " + e.size());
        continue;
      }
      if (checkSha256) {
        String actual;
        try (InputStream in = store.open(key)) {
          actual = sha256(in);
        } catch (IOException ex) {
          throw new UncheckedIOException("cannot read " + store.uri(key), ex);
        }
        if (!actual.equals(e.sha256())) {
          problems.add("sha256 mismatch " + store.uri(key));
        }
      }
    }
    return new Verification(List.copyOf(problems));
  }

  public static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return sha256(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(newDigest().digest(bytes));
  }

  /** Digests the stream to its end (does not close it). */
  public static String sha256(InputStream in) throws IOException {
    MessageDigest md = newDigest();
    try (DigestInputStream din = new DigestInputStream(nonClosing(in), md)) {
      din.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static InputStream nonClosing(InputStream in) {
    return new java.io.FilterInputStream(in) {
      @Override
      public void close() {}
    };
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
