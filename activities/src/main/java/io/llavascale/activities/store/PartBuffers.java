package io.llavascale.activities.store;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed number of part-sized buffers shared by every transfer of one store: the memory bound of
 * uploads and downloads. Free buffers are kept softly, so an idle store gives them back under
 * memory pressure and a busy one reuses them instead of allocating per part.
 */
final class PartBuffers {
  private final int size;
  private final Semaphore permits;
  private final Deque<SoftReference<byte[]>> free = new ArrayDeque<>();
  private final AtomicInteger inUse = new AtomicInteger();
  private final AtomicInteger peak = new AtomicInteger();

  PartBuffers(int count, int size) {
    this.size = size;
    this.permits = new Semaphore(count, true);
  }

  /** Waits for a free buffer. */
  byte[] take() throws InterruptedException {
    permits.acquire();
    return checkOut();
  }

  /** A free buffer, or null when all are in use. */
  byte[] tryTake() {
    return permits.tryAcquire() ? checkOut() : null;
  }

  void give(byte[] buffer) {
    synchronized (free) {
      free.push(new SoftReference<>(buffer));
    }
    inUse.decrementAndGet();
    permits.release();
  }

  /** Most buffers ever checked out at once. */
  int peakInUse() {
    return peak.get();
  }

  private byte[] checkOut() {
    peak.accumulateAndGet(inUse.incrementAndGet(), Math::max);
    synchronized (free) {
      while (!free.isEmpty()) {
        byte[] b = free.pop().get();
        if (b != null) {
          return b;
        }
      }
    }
    return new byte[size];
  }
}
