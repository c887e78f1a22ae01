package io.kiln.runtime.rnn;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.kiln.runtime.Parallelism;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Lockstep}: whatever the thread count and however the pool hands out the tasks (one thread
 * running them one after another included), every chunk of every phase runs exactly once, none
 * before the whole previous phase is done, and a failing chunk ends the call instead of hanging it.
 */
class LockstepTest {
  private static final int PHASES = 40;
  private final int initialThreads = Parallelism.threads();

  @AfterEach
  void restoreThreads() {
    Parallelism.setThreads(initialThreads);
  }

  @Test
  void everyChunkOfEveryPhaseRunsOnceAfterThePreviousPhase() {
    for (int threads = 1; threads <= 4; threads++) {
      for (int chunks = 1; chunks <= 5; chunks++) {
        Parallelism.setThreads(threads);
        int n = chunks;
        AtomicIntegerArray runs = new AtomicIntegerArray(n * PHASES);
        AtomicIntegerArray early = new AtomicIntegerArray(1);
        Lockstep lockstep = new Lockstep();
        lockstep.reset(n, PHASES);
        Lockstep.Work work = (chunk, phase) -> {
          for (int c = 0; phase > 0 && c < n; c++) {
            if (runs.get((phase - 1) * n + c) != 1) {
              early.incrementAndGet(0);
            }
          }
          spin((chunk * 7 + phase * 13) % 5 * 2_000); // uneven chunks, so threads overtake each other
          runs.incrementAndGet(phase * n + chunk);
        };
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Parallelism.forEach(n, task -> lockstep.join(task, work)));
        String what = chunks + " chunks, " + threads + " threads";
        for (int i = 0; i < runs.length(); i++) {
          assertWithMessage(what + ": runs of chunk " + i % n + ", phase " + i / n).that(runs.get(i)).isEqualTo(1);
        }
        assertWithMessage(what + ": chunks started before their previous phase was done").that(early.get(0)).isEqualTo(0);
      }
    }
  }

  @Test
  void aFailingChunkEndsTheCall() {
    for (int threads = 1; threads <= 3; threads++) {
      Parallelism.setThreads(threads);
      Lockstep lockstep = new Lockstep();
      lockstep.reset(3, PHASES);
      Lockstep.Work work = (chunk, phase) -> {
        if (chunk == 1 && phase == 7) {
          throw new IllegalStateException("chunk 1 failed");
        }
      };
      IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
          () -> assertThrows(IllegalStateException.class, () -> Parallelism.forEach(3, task -> lockstep.join(task, work))));
      assertThat(e).hasMessageThat().isEqualTo("chunk 1 failed");
    }
  }

  private static void spin(long nanos) {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }
}
