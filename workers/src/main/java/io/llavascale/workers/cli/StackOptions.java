package io.llavascale.workers.cli;

import io.llavascale.infra.config.EmbeddedStack;
import io.llavascale.infra.config.StackConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the stack is: environment variables (LLAVA_TEMPORAL_ADDRESS, LLAVA_S3_ENDPOINT, ...) or,
 * when none are set, the dev stack running under --home.
 */
public final class StackOptions {
  @Option(names = "--home", paramLabel = "DIR",
      description = "Local state folder (dev stack data, scratch). Default: $LLAVA_HOME or ./.llava")
  Path home;

  /** Config from the environment and --home, embedded parts not yet filled in. */
  public StackConfig base() {
    StackConfig config = StackConfig.fromEnv();
    return home == null ? config : config.withHome(home);
  }

  /** Config with the embedded parts filled from the running dev stack; fails clearly without one. */
  public StackConfig connect() {
    try {
      return EmbeddedStack.resolve(base());
    } catch (IllegalStateException e) {
      throw new CliException(e.getMessage() + " (run `llava dev` in another terminal, or `llava demo`)");
    }
  }
}
