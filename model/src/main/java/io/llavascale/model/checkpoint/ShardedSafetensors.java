package io.llavascale.model.checkpoint;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A weights folder in Hugging Face's layout, which LLaVA's loader reads: one {@code
 * model.safetensors}, or shards {@code model-00001-of-00003.safetensors} ... listed by {@code
 * model.safetensors.index.json} ({@code weight_map}: tensor name to shard file). Reading and writing
 * both go one tensor at a time.
 */
public final class ShardedSafetensors {
  public static final String SINGLE = "model.safetensors";
  public static final String INDEX = "model.safetensors.index.json";
  /** What {@code save_pretrained} uses by default ("5GB", decimal). */
  public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

  private static final Pattern SHARD = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ShardedSafetensors() {}

  /** True for the files that hold a folder's weights (as opposed to config, tokenizer, ...). */
  public static boolean isWeightFile(String fileName) {
    return fileName.equals(SINGLE) || fileName.equals(INDEX) || SHARD.matcher(fileName).matches();
  }

  /** {@code model-0000i-of-0000n.safetensors}, i counted from 1. */
  public static String shardName(int i, int n) {
    return String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", i, n);
  }

  /**
   * Writes the entries in order into shards of at most {@code maxShardBytes} of tensor data (a
   * larger tensor gets a shard of its own), as {@code save_pretrained} does: one shard is written
   * as {@code model.safetensors} with no index. Each tensor's bytes are fetched when its turn comes.
   *
   * @param written told after each tensor is written
   * @return the weight files written, index last
   */
  public static List<String> write(Path folder, Map<String, String> metadata, List<Safetensors.Entry> entries,
      long maxShardBytes, Consumer<Safetensors.Entry> written) throws IOException {
    if (maxShardBytes <= 0) {
      throw new IllegalArgumentException("maxShardBytes must be > 0, got " + maxShardBytes);
    }
    List<List<Safetensors.Entry>> shards = new ArrayList<>();
    long shardBytes = 0;
    for (Safetensors.Entry entry : entries) {
      if (shards.isEmpty() || (shardBytes > 0 && shardBytes + entry.byteLength() > maxShardBytes)) {
        shards.add(new ArrayList<>());
        shardBytes = 0;
      }
      shards.get(shards.size() - 1).add(entry);
      shardBytes += entry.byteLength();
    }
    Files.createDirectories(folder);
    if (shards.size() <= 1) {
      Safetensors.write(folder.resolve(SINGLE), metadata, shards.isEmpty() ? List.of() : shards.get(0), written);
      return List.of(SINGLE);
    }
    List<String> files = new ArrayList<>();
    Map<String, String> weightMap = new TreeMap<>();
    long totalSize = 0;
    for (int i = 0; i < shards.size(); i++) {
      String name = shardName(i + 1, shards.size());
      Safetensors.write(folder.resolve(name), metadata, shards.get(i), written);
      for (Safetensors.Entry entry : shards.get(i)) {
        weightMap.put(entry.name(), name);
        totalSize += entry.byteLength();
      }
      files.add(name);
    }
    JSON.writeValue(folder.resolve(INDEX).toFile(),
        Map.of("metadata", Map.of("total_size", totalSize), "weight_map", weightMap));
    files.add(INDEX);
    return files;
  }

  /** Opens the folder's index (or its single file) and every shard's header. */
  public static Reader open(Path folder) throws IOException {
    return new Reader(folder);
  }

  /** All tensors of a weights folder, whichever shard holds them. */
  public static final class Reader implements AutoCloseable {
    private final Path folder;
    private final List<Safetensors.Reader> shards = new ArrayList<>();
    private final Map<String, Safetensors.Reader> byName = new LinkedHashMap<>();
    private final Map<String, String> metadata = new TreeMap<>();

    private Reader(Path folder) throws IOException {
      this.folder = folder;
      try {
        if (Files.exists(folder.resolve(INDEX))) {
          openIndexed();
        } else if (Files.exists(folder.resolve(SINGLE))) {
          add(Safetensors.open(folder.resolve(SINGLE)), null);
        } else {
          throw new IOException(folder + " has neither " + SINGLE + " nor " + INDEX);
        }
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }

    private void openIndexed() throws IOException {
      Map<String, Object> index;
      try {
        index = JSON.readValue(folder.resolve(INDEX).toFile(), new TypeReference<>() {});
      } catch (IOException e) {
        throw new IOException(folder.resolve(INDEX) + " is not valid JSON: " + e.getMessage(), e);
      }
      if (!(index.get("weight_map") instanceof Map<?, ?> weightMap) || weightMap.isEmpty()) {
        throw new IOException(folder.resolve(INDEX) + " has no weight_map");
      }
      Map<String, List<String>> namesByFile = new TreeMap<>();
      weightMap.forEach((name, file) ->
          namesByFile.computeIfAbsent(String.valueOf(file), f -> new ArrayList<>()).add(String.valueOf(name)));
      for (Map.Entry<String, List<String>> e : namesByFile.entrySet()) {
        Path file = folder.resolve(e.getKey()).normalize();
        if (!file.getParent().equals(folder.normalize()) || !Files.exists(file)) {
          throw new IOException(INDEX + " in " + folder + " lists shard " + e.getKey() + ", which is missing");
        }
        add(Safetensors.open(file), new TreeSet<>(e.getValue()));
      }
    }

    /** Takes the shard's tensors in file order; with an index, exactly the ones it lists. */
    private void add(Safetensors.Reader shard, TreeSet<String> listed) throws IOException {
      shards.add(shard);
      metadata.putAll(shard.metadata());
      List<Safetensors.TensorInfo> tensors = new ArrayList<>(shard.tensors());
      tensors.sort(Comparator.comparingLong(Safetensors.TensorInfo::begin));
      for (Safetensors.TensorInfo info : tensors) {
        if (listed == null || listed.remove(info.name())) {
          if (byName.putIfAbsent(info.name(), shard) != null) {
            throw new IOException(folder + ": tensor " + info.name() + " is in more than one shard");
          }
        }
      }
      if (listed != null && !listed.isEmpty()) {
        throw new IOException(INDEX + " in " + folder + " maps " + listed.first() + " to "
            + shard.file().getFileName() + ", which does not hold it");
      }
    }

    public Path folder() {
      return folder;
    }

    /** Tensor names, shard by shard, in the order their bytes lie (sequential reads). */
    public List<String> names() {
      return List.copyOf(byName.keySet());
    }

    /** Every shard's {@code __metadata__}, merged. */
    public Map<String, String> metadata() {
      return metadata;
    }

    public boolean contains(String name) {
      return byName.containsKey(name);
    }

    public Safetensors.TensorInfo info(String name) {
      return shard(name).info(name);
    }

    public float[] readFloats(String name) throws IOException {
      return shard(name).readFloats(name);
    }

    public ByteBuffer readRaw(String name) throws IOException {
      return shard(name).readRaw(name);
    }

    private Safetensors.Reader shard(String name) {
      Safetensors.Reader shard = byName.get(name);
      if (shard == null) {
        throw new IllegalArgumentException(folder + " has no tensor " + name);
      }
      return shard;
    }

    @Override
    public void close() throws IOException {
      IOException failure = null;
      for (Safetensors.Reader shard : shards) {
        try {
          shard.close();
        } catch (IOException e) {
          failure = e;
        }
      }
      if (failure != null) {
        throw failure;
      }
    }
  }
}
