package io.llavascale.activities.lifecycle;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Set once when the worker process starts shutting down (SIGTERM, Ctrl-C). Training loops poll it
 * after every step, write a checkpoint and give the attempt back, so the retry loses nothing.
 */
public final class ShutdownSignal {
  private final AtomicBoolean requested = new AtomicBoolean();

  public void request() {
    requested.set(true);
  }

  public boolean isRequested() {
    return requested.get();
  }
}
