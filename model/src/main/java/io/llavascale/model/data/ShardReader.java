package io.llavascale.model.data;

import io.llavascale.model.train.SampleSource;
import io.llavascale.model.train.TrainingSample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Random access over one or more local shard files, in the given order (index 0 is the first
 * sample of the first shard). Keeps only the offset tables in memory (8 bytes per sample) and
 * reads each sample with a positional read, so it is safe to share between threads.
 */
public final class ShardReader implements SampleSource, AutoCloseable {
  private final FileChannel[] channels;
  private final long[][] offsets;
  private final int[] starts;
  private final int size;

  private ShardReader(FileChannel[] channels, long[][] offsets) {
    this.channels = channels;
    this.offsets = offsets;
    this.starts = new int[offsets.length];
    int n = 0;
    for (int i = 0; i < offsets.length; i++) {
      starts[i] = n;
      n += offsets[i].length;
    }
    this.size = n;
  }

  public static ShardReader open(Path shard) {
    return open(List.of(shard));
  }

  public static ShardReader open(List<Path> shards) {
    FileChannel[] ch = new FileChannel[shards.size()];
    long[][] off = new long[shards.size()][];
    try {
      for (int i = 0; i < ch.length; i++) {
        ch[i] = FileChannel.open(shards.get(i), StandardOpenOption.READ);
        off[i] = readFooter(ch[i], shards.get(i));
      }
    } catch (IOException | RuntimeException e) {
      for (FileChannel c : ch) {
        closeQuietly(c);
      }
      if (e instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw (RuntimeException) e;
    }
    return new ShardReader(ch, off);
  }

  private static long[] readFooter(FileChannel ch, Path file) throws IOException {
    long len = ch.size();
    if (len < ShardFormat.HEADER_MAGIC.length + ShardFormat.FOOTER_TAIL) {
      throw new IOException("not a shard (too short): " + file);
    }
    ByteBuffer head = read(ch, 0, ShardFormat.HEADER_MAGIC.length);
    ByteBuffer tail = read(ch, len - ShardFormat.FOOTER_TAIL, ShardFormat.FOOTER_TAIL);
    int count = tail.getInt();
    long table = tail.getLong();
    byte[] magic = new byte[8];
    tail.get(magic);
    if (!Arrays.equals(head.array(), ShardFormat.HEADER_MAGIC)
        || !Arrays.equals(magic, ShardFormat.FOOTER_MAGIC)
        || count < 0 || table + 8L * count + ShardFormat.FOOTER_TAIL != len) {
      throw new IOException("not a complete shard: " + file);
    }
    ByteBuffer t = read(ch, table, 8 * count);
    long[] off = new long[count];
    for (int i = 0; i < count; i++) {
      off[i] = t.getLong();
    }
    return off;
  }

  private static ByteBuffer read(FileChannel ch, long pos, int n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining()) {
      if (ch.read(buf, pos + buf.position()) < 0) {
        throw new IOException("unexpected end of shard");
      }
    }
    buf.flip();
    return buf;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public TrainingSample get(int index) {
    return record(index).toTrainingSample();
  }

  public ShardRecord record(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException(index);
    }
    int s = Arrays.binarySearch(starts, index);
    if (s < 0) {
      s = -s - 2;
    }
    while (s + 1 < starts.length && starts[s + 1] == index && offsets[s].length == 0) {
      s++;
    }
    long pos = offsets[s][index - starts[s]];
    try {
      int len = read(channels[s], pos, 4).getInt();
      ByteBuffer b = read(channels[s], pos + 4, len);
      byte[] id = new byte[b.getInt()];
      b.get(id);
      int n = b.getInt();
      int[] ids = new int[n];
      int[] labels = new int[n];
      b.asIntBuffer().get(ids);
      b.position(b.position() + 4 * n);
      b.asIntBuffer().get(labels);
      b.position(b.position() + 4 * n);
      int side = b.getInt();
      byte[] px = null;
      if (side > 0) {
        px = new byte[3 * side * side];
        b.get(px);
      }
      return new ShardRecord(new String(id, StandardCharsets.UTF_8), ids, labels, px, side);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (FileChannel c : channels) {
      closeQuietly(c);
    }
  }

  private static void closeQuietly(FileChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }
}
