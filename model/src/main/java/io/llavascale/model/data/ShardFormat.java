package io.llavascale.model.data;

import java.nio.charset.StandardCharsets;

/**
 * The shard file format ({@code .shard}), all integers big-endian:
 *
 * <pre>
 * header  "LLVSHRD1" (8 bytes)
 * record* int32 bodyLength, then body:
 *           int32 idLength, id (UTF-8)
 *           int32 n, int32[n] inputIds, int32[n] labels
 *           int32 imageSize S (0 = text-only), uint8[3*S*S] pixels (planar RGB, CHW)
 * footer  int64[count] record offsets from file start
 *         int32 count, int64 offset of the offset table, "LLVSIDX1" (8 bytes)
 * </pre>
 *
 * Records can be streamed front to back (length-prefixed); the footer gives random access.
 */
public final class ShardFormat {
  public static final byte[] HEADER_MAGIC = "LLVSHRD1".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] FOOTER_MAGIC = "LLVSIDX1".getBytes(StandardCharsets.US_ASCII);
  public static final int FOOTER_TAIL = 4 + 8 + 8;
  public static final String EXTENSION = ".shard";

  private ShardFormat() {}

  /** {@code stage1-00000.shard}. */
  public static String shardName(String prefix, int index) {
    return String.format("%s-%05d%s", prefix, index, EXTENSION);
  }
}
