package io.llavascale.workers.trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The ranks of a train-process gang over TCP: rank 0 listens on the master address and every
 * other rank connects to it. All ranks compute the same global batch, so they agree step by step:
 * each sends its step, loss and whether it was asked to stop; rank 0 checks the steps match and
 * answers with the mean loss and "stop" if any rank asked. A rank that dies breaks the link and
 * every other rank fails at its next step, as a lost node fails a torchrun job.
 */
public final class GangLink implements AutoCloseable {
  private static final int CONNECT_TRIES = 600; // x 100 ms: the master may start a little later

  private final int rank;
  private final List<Socket> peers;

  private GangLink(int rank, List<Socket> peers) {
    this.rank = rank;
    this.peers = peers;
  }

  /**
   * Joins the gang {@code rendezvousId}; every rank gives its resume step, and they must agree.
   */
  public static GangLink join(String rendezvousId, int rank, int worldSize, String host, int port, long resumeStep)
      throws IOException {
    if (rank == 0) {
      List<Socket> peers = new ArrayList<>();
      try (ServerSocket server = new ServerSocket()) {
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(port));
        while (peers.size() < worldSize - 1) {
          Socket s = server.accept();
          DataInputStream in = new DataInputStream(s.getInputStream());
          String id = in.readUTF();
          int peerRank = in.readInt();
          long peerStep = in.readLong();
          if (!id.equals(rendezvousId) || peerStep != resumeStep) {
            s.close(); // a rank of an older gang, or one that restored another checkpoint
            throw new IOException("gang " + rendezvousId + ": rank " + peerRank + " of " + id + " resumes at step "
                + peerStep + ", rank 0 at " + resumeStep);
          }
          peers.add(s);
        }
      }
      for (Socket s : peers) {
        new DataOutputStream(s.getOutputStream()).writeBoolean(true);
      }
      return new GangLink(0, peers);
    }
    Socket s = connect(host, port);
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    out.writeUTF(rendezvousId);
    out.writeInt(rank);
    out.writeLong(resumeStep);
    out.flush();
    new DataInputStream(s.getInputStream()).readBoolean();
    return new GangLink(rank, List.of(s));
  }

  private static Socket connect(String host, int port) throws IOException {
    IOException last = null;
    for (int i = 0; i < CONNECT_TRIES; i++) {
      try {
        return new Socket(host, port);
      } catch (IOException e) {
        last = e;
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while joining the gang", ie);
        }
      }
    }
    throw new IOException("gang master " + host + ":" + port + " not reachable", last);
  }

  /** What all ranks agreed on after one step. */
  public record Agreed(double meanLoss, boolean stop) {}

  /** One step's barrier: blocks until every rank has finished {@code step}. */
  public Agreed agree(long step, double loss, boolean stop) throws IOException {
    if (rank != 0) {
      DataOutputStream out = new DataOutputStream(peers.get(0).getOutputStream());
      out.writeLong(step);
      out.writeDouble(loss);
      out.writeBoolean(stop);
      out.flush();
      DataInputStream in = new DataInputStream(peers.get(0).getInputStream());
      return new Agreed(in.readDouble(), in.readBoolean());
    }
    double sum = loss;
    boolean anyStop = stop;
    for (Socket s : peers) {
      DataInputStream in = new DataInputStream(s.getInputStream());
      long peerStep = in.readLong();
      sum += in.readDouble();
      anyStop |= in.readBoolean();
      if (peerStep != step) {
        throw new IOException("gang out of step: rank 0 at " + step + ", a peer at " + peerStep);
      }
    }
    Agreed agreed = new Agreed(sum / (peers.size() + 1), anyStop);
    for (Socket s : peers) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeDouble(agreed.meanLoss());
      out.writeBoolean(agreed.stop());
      out.flush();
    }
    return agreed;
  }

  @Override
  public void close() throws IOException {
    for (Socket s : peers) {
      s.close();
    }
  }
}
