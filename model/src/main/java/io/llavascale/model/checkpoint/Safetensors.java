package io.llavascale.model.checkpoint;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The safetensors format (huggingface/safetensors), in Java: an 8-byte little-endian header
 * length, a JSON header mapping each tensor name to {dtype, shape, data_offsets} plus an optional
 * {@code __metadata__} map of strings, then the raw little-endian tensor bytes back to back.
 *
 * <p>Writes F32, F16, BF16 (from F32 values, rounded to nearest even) and I64, or any tensor's
 * raw bytes. Reads F32, F16, BF16 (widened to F32, since BF16 NDArrays crash DJL 0.36) and I64, or
 * any tensor's raw bytes. Both directions go one tensor at a time, so a file is never held whole.
 */
public final class Safetensors {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String METADATA = "__metadata__";
  /** Guards against reading a corrupt length as a multi-gigabyte allocation. */
  private static final long MAX_HEADER_BYTES = 100L << 20;

  public enum DType {
    F32(4),
    F16(2),
    BF16(2),
    I64(8);

    final int bytes;

    DType(int bytes) {
      this.bytes = bytes;
    }

    public int bytes() {
      return bytes;
    }

    public boolean isFloat() {
      return this != I64;
    }
  }

  /** One tensor's header entry; offsets are relative to the start of the data section. */
  public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    public long elements() {
      long n = 1;
      for (long dim : shape) {
        n *= dim;
      }
      return n;
    }

    public long byteLength() {
      return end - begin;
    }
  }

  /** A tensor to write; its values are fetched only when its turn comes. */
  public record Entry(String name, DType dtype, long[] shape, Supplier<ByteBuffer> data) {
    public static Entry f32(String name, long[] shape, Supplier<float[]> values) {
      return floats(name, DType.F32, shape, values);
    }

    /** F32 values stored as {@code dtype} (F32, F16 or BF16). */
    public static Entry floats(String name, DType dtype, long[] shape, Supplier<float[]> values) {
      return new Entry(name, dtype, shape, () -> encode(values.get(), dtype));
    }

    public static Entry i64(String name, long[] shape, Supplier<long[]> values) {
      return new Entry(name, DType.I64, shape, () -> {
        long[] v = values.get();
        ByteBuffer buffer = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asLongBuffer().put(v);
        return buffer;
      });
    }

    public long byteLength() {
      long n = dtype.bytes;
      for (long dim : shape) {
        n *= dim;
      }
      return n;
    }
  }

  private Safetensors() {}

  /** Writes entries in the given order, contiguous, the header padded to 8 bytes as HF does. */
  public static void write(Path file, Map<String, String> metadata, List<Entry> entries)
      throws IOException {
    write(file, metadata, entries, entry -> {});
  }

  /** As {@link #write(Path, Map, List)}, telling {@code written} after each tensor's bytes. */
  public static void write(
      Path file, Map<String, String> metadata, List<Entry> entries, Consumer<Entry> written)
      throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    if (!metadata.isEmpty()) {
      header.put(METADATA, metadata);
    }
    long offset = 0;
    for (Entry entry : entries) {
      long end = offset + entry.byteLength();
      header.put(entry.name(), Map.of(
          "dtype", entry.dtype().name(), "shape", entry.shape(), "data_offsets", List.of(offset, end)));
      offset = end;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
      out.write(json);
      for (int i = json.length; i < padded; i++) {
        out.write(' ');
      }
      for (Entry entry : entries) {
        ByteBuffer data = entry.data().get();
        if (data.remaining() != entry.byteLength()) {
          throw new IllegalArgumentException(
              "tensor " + entry.name() + " has " + data.remaining() + " bytes, shape says "
                  + entry.byteLength());
        }
        out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
        written.accept(entry);
      }
    }
  }

  public static Reader open(Path file) throws IOException {
    return new Reader(file);
  }

  /** Reads tensors on demand with positional reads; the header is parsed once. */
  public static final class Reader implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors = new LinkedHashMap<>();

    private Reader(Path file) throws IOException {
      this.file = file;
      this.channel = FileChannel.open(file, StandardOpenOption.READ);
      try {
        long headerLength = readAt(0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES
            || 8 + headerLength > channel.size()) {
          throw new IOException(file + ": not a safetensors file (header length " + headerLength + ")");
        }
        this.dataStart = 8 + headerLength;
        String json =
            StandardCharsets.UTF_8.decode(readAt(8, (int) headerLength)).toString().trim();
        Map<String, Object> header = JSON.readValue(json, new TypeReference<>() {});
        this.metadata = parseMetadata(header.remove(METADATA));
        for (Map.Entry<String, Object> e : header.entrySet()) {
          tensors.put(e.getKey(), parseInfo(e.getKey(), e.getValue()));
        }
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> parseMetadata(Object raw) {
      return raw == null ? Map.of() : (Map<String, String>) raw;
    }

    @SuppressWarnings("unchecked")
    private TensorInfo parseInfo(String name, Object raw) throws IOException {
      Map<String, Object> entry = (Map<String, Object>) raw;
      DType dtype;
      try {
        dtype = DType.valueOf((String) entry.get("dtype"));
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": tensor " + name + " has unsupported dtype " + entry.get("dtype"));
      }
      List<Number> shapeList = (List<Number>) entry.get("shape");
      long[] shape = shapeList.stream().mapToLong(Number::longValue).toArray();
      List<Number> offsets = (List<Number>) entry.get("data_offsets");
      TensorInfo info =
          new TensorInfo(name, dtype, shape, offsets.get(0).longValue(), offsets.get(1).longValue());
      if (info.end() - info.begin() != info.elements() * dtype.bytes
          || dataStart + info.end() > channel.size()) {
        throw new IOException(file + ": tensor " + name + " has inconsistent offsets or is truncated");
      }
      return info;
    }

    public Path file() {
      return file;
    }

    public Map<String, String> metadata() {
      return metadata;
    }

    public Collection<TensorInfo> tensors() {
      return tensors.values();
    }

    public boolean contains(String name) {
      return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
      TensorInfo info = tensors.get(name);
      if (info == null) {
        throw new IllegalArgumentException(file + " has no tensor " + name);
      }
      return info;
    }

    /** Values of a floating-point tensor as F32, widening F16 and BF16. */
    public float[] readFloats(String name) throws IOException {
      TensorInfo info = info(name);
      ByteBuffer bytes = readAt(dataStart + info.begin(), Math.toIntExact(info.end() - info.begin()))
          .order(ByteOrder.LITTLE_ENDIAN);
      float[] values = new float[Math.toIntExact(info.elements())];
      switch (info.dtype()) {
        case F32 -> bytes.asFloatBuffer().get(values);
        case BF16, F16 -> decode16(bytes.asShortBuffer(), values, info.dtype() == DType.F16);
        default -> throw new IllegalArgumentException(
            "tensor " + name + " is " + info.dtype() + ", not floating point");
      }
      return values;
    }

    /** A tensor's stored bytes, little-endian, whatever its dtype. */
    public ByteBuffer readRaw(String name) throws IOException {
      TensorInfo info = info(name);
      return readAt(dataStart + info.begin(), Math.toIntExact(info.byteLength()))
          .order(ByteOrder.LITTLE_ENDIAN);
    }

    public long[] readLongs(String name) throws IOException {
      TensorInfo info = info(name);
      if (info.dtype() != DType.I64) {
        throw new IllegalArgumentException("tensor " + name + " is " + info.dtype() + ", not I64");
      }
      long[] values = new long[Math.toIntExact(info.elements())];
      readAt(dataStart + info.begin(), values.length * 8)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asLongBuffer()
          .get(values);
      return values;
    }

    private ByteBuffer readAt(long position, int length) throws IOException {
      ByteBuffer buffer = ByteBuffer.allocate(length);
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, position + buffer.position()) < 0) {
          throw new IOException(file + " is truncated");
        }
      }
      return buffer.flip();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /** F32 values as little-endian {@code dtype} bytes (F32, F16 or BF16), rounded to nearest even. */
  public static ByteBuffer encode(float[] values, DType dtype) {
    ByteBuffer buffer =
        ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.bytes)).order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case F32 -> buffer.asFloatBuffer().put(values);
      case F16, BF16 -> encode16(values, buffer.asShortBuffer(), dtype == DType.F16);
      default -> throw new IllegalArgumentException("cannot store floats as " + dtype);
    }
    return buffer;
  }

  /** 16-bit values go through a short[] chunk: bulk buffer transfers, no per-element buffer checks. */
  private static final int CHUNK = 8192;

  /** Every half's F32 value: a table read beats the branches of halfToFloat on multi-GB tensors. */
  private static final float[] HALF_TO_FLOAT = new float[1 << 16];

  static {
    for (int bits = 0; bits < HALF_TO_FLOAT.length; bits++) {
      HALF_TO_FLOAT[bits] = halfToFloat((short) bits);
    }
  }

  private static void decode16(ShortBuffer in, float[] values, boolean half) {
    short[] chunk = new short[Math.min(CHUNK, values.length)];
    for (int start = 0; start < values.length; start += chunk.length) {
      int n = Math.min(chunk.length, values.length - start);
      in.get(chunk, 0, n);
      for (int i = 0; i < n; i++) {
        values[start + i] = half
            ? HALF_TO_FLOAT[chunk[i] & 0xFFFF]
            : Float.intBitsToFloat((chunk[i] & 0xFFFF) << 16);
      }
    }
  }

  private static void encode16(float[] values, ShortBuffer out, boolean half) {
    short[] chunk = new short[Math.min(CHUNK, values.length)];
    for (int start = 0; start < values.length; start += chunk.length) {
      int n = Math.min(chunk.length, values.length - start);
      for (int i = 0; i < n; i++) {
        chunk[i] = half ? floatToHalf(values[start + i]) : floatToBf16(values[start + i]);
      }
      out.put(chunk, 0, n);
    }
  }

  /**
   * IEEE 754 binary32 to binary16, round to nearest even, overflow to infinity. Branch-free on the
   * common path (after F. Giesen's float_to_half_fast3_rtne): adding 0xFFF plus the lowest kept bit
   * rounds the 13 dropped bits to nearest even, and a carry moves into the exponent as it should.
   */
  static short floatToHalf(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7FFFFFFF;
    int half;
    if (abs >= 0x47800000) {
      half = abs > 0x7F800000 ? 0x7E00 : 0x7C00; // NaN stays a quiet NaN; 65536 and up is infinity
    } else if (abs < 0x38800000) {
      // Subnormal half or zero: adding 0.5f puts the half's units (2^-24) in the float's last
      // mantissa bits, and the FPU's own round to nearest even does the rest.
      half = Float.floatToRawIntBits(Float.intBitsToFloat(abs) + 0.5f) - 0x3F000000;
    } else {
      half = (abs - 0x38000000 + 0xFFF + ((abs >>> 13) & 1)) >>> 13;
    }
    return (short) (sign | half);
  }

  /** IEEE 754 binary32 to bfloat16, round to nearest even. */
  static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7FFFFFFF) > 0x7F800000) {
      return (short) ((bits >>> 16) | 0x40); // quiet NaN
    }
    return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
  }

  /** IEEE 754 binary16 to binary32 (Float.float16ToFloat arrived only in Java 20). */
  static float halfToFloat(short half) {
    int bits = half & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1F;
    int mantissa = bits & 0x3FF;
    if (exponent == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
}
