package io.llavascale.workers.pool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GPUs of this node: configured ({@code --gpus} or {@code LLAVA_GPUS}: {@code 8},
 * {@code 8xA100-SXM4-80GB} or {@code none}) or discovered with
 * {@code nvidia-smi --query-gpu=name,memory.total --format=csv,noheader}. A node with neither
 * has none, and trains on CPU.
 *
 * @param source where the list came from, for the startup log
 */
public record GpuInventory(List<Gpu> gpus, String source) {
  public static final String ENV_GPUS = "LLAVA_GPUS";
  public static final List<String> QUERY = List.of("--query-gpu=name,memory.total", "--format=csv,noheader");
  private static final Logger log = LoggerFactory.getLogger(GpuInventory.class);
  private static final Pattern CONFIGURED = Pattern.compile("(\\d+)(?:x(\\S.*))?");
  private static final Pattern SMI_LINE = Pattern.compile("(.+?),\\s*(\\d+)\\s*MiB");

  /** @param memoryMiB 0 when configured without it */
  public record Gpu(String model, long memoryMiB) {}

  public GpuInventory {
    gpus = List.copyOf(gpus);
  }

  public int count() {
    return gpus.size();
  }

  /**
   * @param configured {@code --gpus} or {@code LLAVA_GPUS}, or null to ask nvidia-smi
   * @param nvidiaSmi  the nvidia-smi executable (tests pass a fake one)
   */
  public static GpuInventory discover(String configured, String nvidiaSmi) {
    if (configured != null && !configured.isBlank()) {
      return parse(configured.trim());
    }
    List<String> cmd = new ArrayList<>(List.of(nvidiaSmi));
    cmd.addAll(QUERY);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        // a GPU node whose driver is broken must not quietly become a CPU worker
        throw new IllegalStateException(nvidiaSmi + " failed (" + out.strip() + "); fix the driver or set "
            + ENV_GPUS + " / --gpus");
      }
      return fromNvidiaSmi(out, nvidiaSmi);
    } catch (IOException e) {
      log.info("no {} on this node ({}); no GPU", nvidiaSmi, e.getMessage());
      return new GpuInventory(List.of(), "no " + nvidiaSmi);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + nvidiaSmi, e);
    }
  }

  static GpuInventory fromNvidiaSmi(String csv, String source) {
    List<Gpu> gpus = new ArrayList<>();
    for (String line : csv.split("\\R")) {
      if (line.isBlank()) {
        continue;
      }
      Matcher m = SMI_LINE.matcher(line.strip());
      if (!m.matches()) {
        throw new IllegalStateException("unexpected " + source + " line '" + line.strip()
            + "'; expected 'name, memory MiB' (set " + ENV_GPUS + " / --gpus to skip discovery)");
      }
      gpus.add(new Gpu(m.group(1).strip(), Long.parseLong(m.group(2))));
    }
    return new GpuInventory(gpus, source);
  }

  static GpuInventory parse(String spec) {
    if (spec.equalsIgnoreCase("none")) {
      return new GpuInventory(List.of(), ENV_GPUS);
    }
    Matcher m = CONFIGURED.matcher(spec);
    if (!m.matches()) {
      throw new IllegalArgumentException(ENV_GPUS + " / --gpus must be a count (8), a count and model (8xA100-SXM4-80GB)"
          + " or 'none', got '" + spec + "'");
    }
    String model = m.group(2) == null ? "gpu" : m.group(2).strip();
    return new GpuInventory(Collections.nCopies(Integer.parseInt(m.group(1)), new Gpu(model, 0)), ENV_GPUS);
  }

  /** {@code 8x NVIDIA A100-SXM4-80GB 80GiB}, models grouped; {@code no GPU} when empty. */
  public String summary() {
    if (gpus.isEmpty()) {
      return "no GPU";
    }
    Map<Gpu, Integer> byModel = new LinkedHashMap<>();
    gpus.forEach(g -> byModel.merge(g, 1, Integer::sum));
    List<String> parts = new ArrayList<>();
    byModel.forEach((g, n) -> parts.add(n + "x " + g.model()
        + (g.memoryMiB() > 0 ? String.format(Locale.ROOT, " %dGiB", Math.round(g.memoryMiB() / 1024.0)) : "")));
    return String.join(" + ", parts);
  }
}
