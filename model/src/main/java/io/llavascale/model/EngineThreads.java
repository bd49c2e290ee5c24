package io.llavascale.model;

/**
 * PyTorch thread settings for the tiny model. Its matrices are so small that a second intra-op
 * thread buys little, and on cores shared with other processes OpenMP's spinning threads make
 * steps up to ten times slower (measured: 50 vs 3-9 steps/s on 2 busy cores). One thread also
 * keeps float summation order fixed, which exact resume relies on.
 *
 * <p>DJL reads these properties once, when the engine starts: call {@link #configure} at the top
 * of a process's main, before anything creates an NDManager.
 */
public final class EngineThreads {
  private static final String INTRA_OP = "ai.djl.pytorch.num_threads";
  private static final String INTER_OP = "ai.djl.pytorch.num_interop_threads";

  private EngineThreads() {}

  /** Sets one intra-op and one inter-op thread, unless the process already chose otherwise. */
  public static void configure() {
    if (System.getProperty(INTRA_OP) == null) {
      System.setProperty(INTRA_OP, "1");
    }
    if (System.getProperty(INTER_OP) == null) {
      System.setProperty(INTER_OP, "1");
    }
  }
}
