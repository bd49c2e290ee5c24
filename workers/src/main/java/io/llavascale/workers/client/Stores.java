package io.llavascale.workers.client;

import io.llavascale.activities.store.S3ObjectStore;
import io.llavascale.activities.store.TransferSettings;
import io.llavascale.infra.config.S3Clients;
import io.llavascale.infra.config.StackConfig;

/** The run bucket of a resolved stack, for client commands that read or write S3 directly. */
public final class Stores {
  private Stores() {}

  public static S3ObjectStore open(StackConfig config) {
    return new S3ObjectStore(S3Clients.create(config), config.s3Bucket(), TransferSettings.fromEnv(System.getenv()));
  }
}
