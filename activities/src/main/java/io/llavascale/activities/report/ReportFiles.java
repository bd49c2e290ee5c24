package io.llavascale.activities.report;

import io.llavascale.activities.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** A rendered report folder: file contents by relative path (index.html, report.json, *.csv, plots/*.svg). */
public record ReportFiles(Map<String, byte[]> files) {
  public static final String INDEX = "index.html";
  public static final String JSON = "report.json";

  public ReportFiles {
    files = new TreeMap<>(files);
  }

  /** Writes the folder (created if missing; files of an earlier report with other names are left alone). */
  public void writeTo(Path folder) throws IOException {
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path target = folder.resolve(f.getKey());
      Files.createDirectories(target.getParent());
      Files.write(target, f.getValue());
    }
  }

  /** Puts every file under {@code prefix} (ending in /) and returns the index page's URI. */
  public String upload(ObjectStore store, String prefix) {
    files.forEach((name, bytes) -> store.putBytes(prefix + name, bytes));
    return store.uri(prefix + INDEX);
  }
}
