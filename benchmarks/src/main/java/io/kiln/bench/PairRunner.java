package io.kiln.bench;

import java.util.concurrent.Semaphore;

/**
 * Runs one op on a helper thread while the caller runs another, and returns when both are done: two
 * independent single-thread GEMMs on the two cores, the ceiling a two-thread GEMM can be held to on
 * this machine (shared caches, memory and whatever else the cores share).
 */
final class PairRunner implements AutoCloseable {
  private final Semaphore start = new Semaphore(0);
  private final Semaphore done = new Semaphore(0);
  private volatile Runnable job;
  private volatile boolean closed;

  PairRunner() {
    Thread helper = new Thread(() -> {
      while (true) {
        start.acquireUninterruptibly();
        if (closed) {
          return;
        }
        job.run();
        done.release();
      }
    }, "bench-pair");
    helper.setDaemon(true);
    helper.start();
  }

  void run(Runnable mine, Runnable theirs) {
    job = theirs;
    start.release();
    mine.run();
    done.acquireUninterruptibly();
  }

  @Override
  public void close() {
    closed = true;
    start.release();
  }
}
