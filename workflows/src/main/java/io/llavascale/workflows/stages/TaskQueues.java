package io.llavascale.workflows.stages;

/** Task queue names (DESIGN.md "Task queues"). Workers and the workflow must agree on these. */
public final class TaskQueues {
  /** Workflow tasks only: cheap, any machine. */
  public static final String CONTROL = "llava-control";
  /** Data prep, merge, scoring, ledger reads and writes. */
  public static final String CPU = "llava-cpu";

  private TaskQueues() {}

  /** Training and generation for one GPU pool. */
  public static String gpu(String pool) {
    return "llava-gpu-" + pool;
  }
}
