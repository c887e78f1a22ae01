package io.kiln.runtime.rnn;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Phases that the tasks of one {@code Parallelism.forEach} call run together, each phase split into
 * the same chunks, no chunk of phase s + 1 starting before every chunk of phase s is done: the
 * time steps of one sequence whose hidden units are split across threads ({@link UnitChunks}).
 *
 * <p>A task claims its own chunk of a phase first, then any chunk nobody has claimed, then waits
 * for the claimed ones. It therefore never waits for work that no running thread holds: when the
 * pool runs the tasks one after another on one thread (nested calls, a busy pool, one thread), the
 * first task does every chunk of every phase and the others find nothing left. A task keeps its
 * own chunk from phase to phase while the others keep up, so the weights of its chunk stay in its
 * core's cache. Which thread runs a chunk never changes its result.
 */
final class Lockstep {
  /** One chunk of one phase. */
  interface Work {
    void run(int chunk, int phase);
  }

  /** Ints per counter: 64 bytes, so the threads' counters do not share a cache line. */
  private static final int PAD = 16;
  /** Spins before a waiting task yields its core (a thread it waits for may have been descheduled). */
  private static final int SPINS_BEFORE_YIELD = 1 << 12;

  /** Per chunk: the next phase nobody has claimed yet. */
  private AtomicIntegerArray claimed = new AtomicIntegerArray(0);
  /** Per chunk: how many of its phases are done. */
  private AtomicIntegerArray done = new AtomicIntegerArray(0);
  private int chunks;
  private int phases;
  private volatile boolean failed;

  /** Prepares a call of {@code phases} phases of {@code chunks} chunks; before the tasks start. */
  void reset(int chunks, int phases) {
    if (claimed.length() < chunks * PAD) {
      claimed = new AtomicIntegerArray(chunks * PAD);
      done = new AtomicIntegerArray(chunks * PAD);
    }
    for (int c = 0; c < chunks; c++) {
      claimed.set(c * PAD, 0);
      done.set(c * PAD, 0);
    }
    this.chunks = chunks;
    this.phases = phases;
    failed = false;
  }

  /** Task {@code task}'s part of the call: every phase, its own chunk ({@code task % chunks}) first. */
  void join(int task, Work work) {
    int own = task % chunks;
    for (int s = 0; s < phases; s++) {
      for (int i = 0; i < chunks; i++) {
        int c = (own + i) % chunks;
        if (claimed.compareAndSet(c * PAD, s, s + 1)) {
          try {
            work.run(c, s);
          } catch (RuntimeException | Error e) {
            failed = true; // the waiters give up; Parallelism.forEach rethrows e
            throw e;
          }
          done.set(c * PAD, s + 1);
        }
      }
      for (int c = 0; c < chunks; c++) {
        for (int spins = 0; done.get(c * PAD) <= s; spins++) {
          if (failed) {
            return;
          }
          if (spins < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
          } else {
            Thread.yield();
          }
        }
      }
    }
  }
}
