package io.llavascale.activities.external;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How a GPU node runs the external trainer, from the worker's environment.
 *
 * @param launcher   replaces the generated launcher ({@code deepspeed --num_gpus G
 *                   llava/train/train_mem.py}) when not empty; the generated flags follow it
 *                   ({@code LLAVA_TRAINER_LAUNCHER}, whitespace-separated)
 * @param trainerDir working folder the command runs in: the LLaVA checkout, whose
 *                   {@code scripts/zero3.json} the flags name ({@code LLAVA_TRAINER_DIR})
 * @param grace      how long a SIGTERMed trainer may take to write its final checkpoint
 *                   ({@code LLAVA_TRAINER_GRACE}, ISO-8601); keep it under the worker's --grace
 * @param gangHost   the address other nodes reach this one on when it is rank 0 of a multi-node
 *                   stage ({@code LLAVA_GANG_HOST}; in Kubernetes the pod IP; default: this
 *                   host's address)
 * @param gangPort   the port rank 0's trainer listens on for its gang ({@code LLAVA_GANG_PORT},
 *                   default 29500 as torchrun's; 0 picks a free port, for several ranks on one host)
 */
public record ExternalTrainerSettings(
    List<String> launcher, Path trainerDir, Duration grace, String gangHost, int gangPort) {
  public static final String ENV_LAUNCHER = "LLAVA_TRAINER_LAUNCHER";
  public static final String ENV_DIR = "LLAVA_TRAINER_DIR";
  public static final String ENV_GRACE = "LLAVA_TRAINER_GRACE";
  public static final String ENV_GANG_HOST = "LLAVA_GANG_HOST";
  public static final String ENV_GANG_PORT = "LLAVA_GANG_PORT";
  public static final int DEFAULT_GANG_PORT = 29500;
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(45);

  public ExternalTrainerSettings {
    launcher = List.copyOf(launcher);
    if (!Files.isDirectory(trainerDir)) {
      throw new IllegalArgumentException(ENV_DIR + " must be an existing folder (the LLaVA checkout), got " + trainerDir);
    }
    if (grace.isNegative() || grace.isZero()) {
      throw new IllegalArgumentException(ENV_GRACE + " must be a positive ISO-8601 duration such as PT45S, got " + grace);
    }
    if (gangHost.isBlank()) {
      throw new IllegalArgumentException(ENV_GANG_HOST + " must name this node's address, got an empty value");
    }
    if (gangPort < 0 || gangPort > 65535) {
      throw new IllegalArgumentException(ENV_GANG_PORT + " must be 0 (any free port) to 65535, got " + gangPort);
    }
  }

  public static ExternalTrainerSettings fromEnv(Map<String, String> env) {
    String launcher = env.getOrDefault(ENV_LAUNCHER, "").trim();
    String grace = env.getOrDefault(ENV_GRACE, "").trim();
    Duration g;
    try {
      g = grace.isEmpty() ? DEFAULT_GRACE : Duration.parse(grace);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(ENV_GRACE + " must be an ISO-8601 duration such as PT45S, got '" + grace + "'");
    }
    String port = env.getOrDefault(ENV_GANG_PORT, "").trim();
    int p;
    try {
      p = port.isEmpty() ? DEFAULT_GANG_PORT : Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(ENV_GANG_PORT + " must be a port number (0 for any free one), got '" + port + "'");
    }
    String host = env.getOrDefault(ENV_GANG_HOST, "").trim();
    return new ExternalTrainerSettings(
        launcher.isEmpty() ? List.of() : Arrays.asList(launcher.split("\\s+")),
        Path.of(env.getOrDefault(ENV_DIR, ".")).toAbsolutePath(),
        g, host.isEmpty() ? localAddress() : host, p);
  }

  private static String localAddress() {
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      return InetAddress.getLoopbackAddress().getHostAddress();
    }
  }
}
