package io.llavascale.workers.external;

import io.llavascale.activities.store.ObjectStore;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real store with an outage switched on and off by the test: uploads under a prefix fail
 * except model.safetensors (so half-uploaded folders with no manifest appear), or the next N
 * uploads of any kind fail.
 */
final class FlakyObjectStore implements ObjectStore {
  private final ObjectStore real;
  final AtomicReference<String> outagePrefix = new AtomicReference<>();
  final AtomicInteger failNextPuts = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();

  FlakyObjectStore(ObjectStore real) {
    this.real = real;
  }

  private void maybeFail(String key) {
    String down = outagePrefix.get();
    boolean partial = down != null && key.startsWith(down) && !key.endsWith("/model.safetensors");
    if (partial || failNextPuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      failed.incrementAndGet();
      throw new UncheckedIOException(new java.io.IOException("injected S3 outage: PUT " + key));
    }
  }

  @Override public String bucket() { return real.bucket(); }
  @Override public void putBytes(String key, byte[] bytes) { maybeFail(key); real.putBytes(key, bytes); }
  @Override public String putFile(String key, Path file) { maybeFail(key); return real.putFile(key, file); }
  @Override public byte[] getBytes(String key) { return real.getBytes(key); }
  @Override public String getFile(String key, Path target) { return real.getFile(key, target); }
  @Override public InputStream open(String key) { return real.open(key); }
  @Override public Optional<Long> size(String key) { return real.size(key); }
  @Override public List<String> list(String prefix) { return real.list(prefix); }
  @Override public void delete(String key) { real.delete(key); }
  @Override public void deletePrefix(String prefix) { real.deletePrefix(prefix); }
}
