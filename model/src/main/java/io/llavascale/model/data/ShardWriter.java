package io.llavascale.model.data;

import io.llavascale.model.train.TrainingSample;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes samples into a sequence of bounded shard files ({@link ShardFormat}) named
 * {@code <prefix>-00000.shard, <prefix>-00001.shard, ...} in a local folder. Each shard is closed
 * once it reaches {@code maxShardBytes} or {@code maxShardSamples}, and handed to the sink (which
 * typically uploads and deletes it), so local disk holds at most one open shard. Not thread-safe.
 */
public final class ShardWriter implements AutoCloseable {
  /** Receives each finished shard file. */
  @FunctionalInterface
  public interface Sink {
    void shardClosed(String name, Path file, int samples) throws IOException;
  }

  private final Path dir;
  private final String prefix;
  private final long maxShardBytes;
  private final int maxShardSamples;
  private final Sink sink;
  private final List<String> names = new ArrayList<>();

  private DataOutputStream out;
  private Path current;
  private long bytes;
  private long[] offsets = new long[256];
  private int inShard;
  private long total;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();

  public ShardWriter(Path dir, String prefix, long maxShardBytes, int maxShardSamples, Sink sink) {
    this.dir = dir;
    this.prefix = prefix;
    this.maxShardBytes = Math.max(1024, maxShardBytes);
    this.maxShardSamples = Math.max(1, maxShardSamples);
    this.sink = sink;
  }

  public void write(TrainingSample sample) throws IOException {
    write(ShardRecord.of(sample));
  }

  public void write(ShardRecord r) throws IOException {
    if (out == null) {
      open();
    }
    body.reset();
    DataOutputStream b = new DataOutputStream(body);
    byte[] id = r.id().getBytes(StandardCharsets.UTF_8);
    b.writeInt(id.length);
    b.write(id);
    b.writeInt(r.inputIds().length);
    for (int v : r.inputIds()) {
      b.writeInt(v);
    }
    for (int v : r.labels()) {
      b.writeInt(v);
    }
    b.writeInt(r.imageSize());
    if (r.pixels() != null) {
      b.write(r.pixels());
    }
    b.flush();
    if (inShard == offsets.length) {
      offsets = Arrays.copyOf(offsets, inShard * 2);
    }
    offsets[inShard++] = bytes;
    out.writeInt(body.size());
    body.writeTo(out);
    bytes += 4 + body.size();
    total++;
    if (bytes >= maxShardBytes || inShard >= maxShardSamples) {
      finishShard();
    }
  }

  private void open() throws IOException {
    String name = ShardFormat.shardName(prefix, names.size());
    current = dir.resolve(name);
    out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(current), 1 << 16));
    out.write(ShardFormat.HEADER_MAGIC);
    bytes = ShardFormat.HEADER_MAGIC.length;
    inShard = 0;
    names.add(name);
  }

  private void finishShard() throws IOException {
    long tableStart = bytes;
    for (int i = 0; i < inShard; i++) {
      out.writeLong(offsets[i]);
    }
    out.writeInt(inShard);
    out.writeLong(tableStart);
    out.write(ShardFormat.FOOTER_MAGIC);
    out.close();
    out = null;
    int n = inShard;
    if (offsets.length > 4096) {
      offsets = new long[256];
    }
    sink.shardClosed(names.get(names.size() - 1), current, n);
  }

  /** Samples written so far. */
  public long count() {
    return total;
  }

  /** Names of the shards opened so far, in order. */
  public List<String> shardNames() {
    return List.copyOf(names);
  }

  /** Finishes the open shard (if any). No shard is written when no sample was. */
  @Override
  public void close() throws IOException {
    if (out != null) {
      finishShard();
    }
  }
}
