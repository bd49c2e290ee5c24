package io.llavascale.workers.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Two ranks on one machine: lock-step agreement, a shared stop, and a lost rank failing the other. */
class GangLinkTest {

  @Test
  void ranksAgreeOnLossAndStopAndALostRankBreaksTheGang() throws Exception {
    int port = freePort();
    CompletableFuture<GangLink> rank1 = CompletableFuture.supplyAsync(() -> join(1, port, 20));
    try (GangLink rank0 = GangLink.join("g-1", 0, 2, "127.0.0.1", port, 20)) {
      GangLink r1 = rank1.join();
      CompletableFuture<GangLink.Agreed> a1 = CompletableFuture.supplyAsync(() -> agree(r1, 21, 3.0, true));
      GangLink.Agreed a0 = rank0.agree(21, 1.0, false);
      assertEquals(new GangLink.Agreed(2.0, true), a0, "mean loss; one rank's stop stops all");
      assertEquals(a0, a1.join());
      r1.close(); // the rank dies
      assertThrows(IOException.class, () -> rank0.agree(22, 1.0, false));
    }
  }

  @Test
  void aRankThatRestoredAnotherCheckpointIsRefused() throws Exception {
    int port = freePort();
    CompletableFuture<GangLink> rank1 = CompletableFuture.supplyAsync(() -> join(1, port, 10));
    assertThrows(IOException.class, () -> GangLink.join("g-1", 0, 2, "127.0.0.1", port, 20));
    assertTrue(assertThrows(Exception.class, rank1::join).getCause() instanceof RuntimeException);
  }

  private static GangLink join(int rank, int port, long resume) {
    try {
      return GangLink.join("g-1", rank, 2, "127.0.0.1", port, resume);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  private static GangLink.Agreed agree(GangLink link, long step, double loss, boolean stop) {
    try {
      return link.agree(step, loss, stop);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
