package io.llavascale.model;

/**
 * PyTorch thread settings for the tiny model. Its matrices are so small that a second intra-op
 * thread buys little on idle cores, and on cores shared with other processes OpenMP's spinning
 * threads make steps up to ten times slower (measured on 2 cores busy with other builds: 1 thread
 * 28-54 steps/s, 2 threads 3-10 steps/s). A fixed thread count also keeps float summation order
 * fixed from run to run, which exact resume relies on.
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
