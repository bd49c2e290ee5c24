package io.llavascale.workflows.stages;

/**
 * One node's place in a multi-node training stage (compute.nodes &gt; 1): the pipeline starts one
 * activity per rank on the pool's task queue, all with the same rendezvous id, and retries them
 * together as a new rendezvous when one fails.
 *
 * @param rendezvousId      {@code --rdzv_id}: the same for every rank of one gang attempt
 * @param rank              {@code --node_rank}, 0..worldSize-1; rank 0 is the master and the only
 *                          rank that uploads checkpoints and commits the stage's output
 * @param worldSize         {@code --nnodes}
 * @param master            {@code host:port} rank 0 listens on; "" in rank 0's own request (it
 *                          picks the address and sends it back with the {@code gangMaster} signal)
 * @param reachedStep       the newest step the previous gang attempt reached (0 on the first)
 * @param stepsRecomputed   steps recomputed over the earlier gang attempts
 */
public record GangRank(
    String rendezvousId, int rank, int worldSize, String master, long reachedStep, long stepsRecomputed) {

  /** Rank r of the same gang, once the master's address is known. */
  public GangRank member(int r, String masterAddress) {
    return new GangRank(rendezvousId, r, worldSize, masterAddress, reachedStep, stepsRecomputed);
  }
}
