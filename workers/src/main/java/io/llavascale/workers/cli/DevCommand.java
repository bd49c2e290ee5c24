package io.llavascale.workers.cli;

import io.llavascale.infra.config.EmbeddedStack;
import io.llavascale.infra.config.StackConfig;
import io.llavascale.infra.s3.EmbeddedS3;
import io.llavascale.workers.pool.PoolSelection;
import io.llavascale.workers.pool.WorkerPools;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The embedded dev stack in the foreground: Temporal and S3 on 127.0.0.1 until Ctrl-C. */
@Command(name = "dev", description = "Run the embedded Temporal server and S3 endpoint on 127.0.0.1 until Ctrl-C.")
final class DevCommand implements Runnable {
  @Mixin StackOptions stack;

  @Option(names = "--temporal-port", defaultValue = "7233", description = "Default: ${DEFAULT-VALUE}")
  int temporalPort;

  @Option(names = "--s3-port", defaultValue = "9000", description = "Default: ${DEFAULT-VALUE}")
  int s3Port;

  @Option(names = "--workers", description = "Also run workers for every local pool (" + PoolSelection.ALL_LOCAL + ").")
  boolean workers;

  @Override
  public void run() {
    StackConfig base = stack.base();
    EmbeddedStack dev;
    try {
      dev = EmbeddedStack.start(base, temporalPort, s3Port);
    } catch (IllegalStateException e) {
      throw new CliException(e.getMessage());
    }
    StackConfig config = dev.config();
    WorkerPools pools = workers
        ? WorkerPools.launch(config, PoolSelection.parse(PoolSelection.ALL_LOCAL), 2, 1, Duration.ofSeconds(60))
        : null;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (pools != null) {
        pools.close();
      }
      dev.close();
      stopped.countDown();
    }, "llava-dev-stop"));
    System.out.println("dev stack running (Ctrl-C stops it)");
    System.out.println("  Temporal  " + config.temporalAddress() + "  namespace " + config.temporalNamespace()
        + "  (in memory: lost when this stops; runs survive through S3 and `llava resume`)");
    System.out.println("  S3        " + config.s3Endpoint() + "  bucket " + config.s3Bucket()
        + "  (files under " + dev.s3().root().resolve(EmbeddedS3.BLOBS_DIR) + ")");
    System.out.println("  S3 keys   " + EmbeddedS3.credentialsFile(dev.s3().root()) + " (owner-only)");
    System.out.println("  other terminals find this stack through " + EmbeddedStack.stackFile(config.home())
        + (workers ? "" : "; start workers with `llava worker`"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
