package io.kiln.runtime.gemm;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.Parallelism;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared thread pool kernels split their work on. */
class ParallelismTest {
  private static final int THREADS = Parallelism.threads();

  @AfterEach
  void restore() {
    Parallelism.setThreads(THREADS);
  }

  @Test
  void defaultsToAllCoresOrTheProperty() {
    String prop = System.getProperty("kiln.threads");
    int expected = prop != null ? Integer.parseInt(prop) : Runtime.getRuntime().availableProcessors();
    assertThat(THREADS).isEqualTo(expected);
  }

  @Test
  void validatesTheThreadCount() {
    assertThrows(IllegalArgumentException.class, () -> Parallelism.setThreads(0));
    assertThrows(IllegalArgumentException.class, () -> Parallelism.setThreads(-3));
    Parallelism.setThreads(3);
    assertThat(Parallelism.threads()).isEqualTo(3);
  }

  @Test
  void runsEveryTaskExactlyOnce() {
    for (int threads : new int[] {1, 2, 3, 4}) {
      Parallelism.setThreads(threads);
      for (int round = 0; round < 200; round++) {
        int tasks = 1 + round % 37;
        AtomicIntegerArray hits = new AtomicIntegerArray(tasks);
        Parallelism.forEach(tasks, hits::incrementAndGet);
        for (int t = 0; t < tasks; t++) {
          assertThat(hits.get(t)).isEqualTo(1);
        }
      }
    }
  }

  @Test
  void nestedCallsRunInline() {
    Parallelism.setThreads(2);
    AtomicIntegerArray hits = new AtomicIntegerArray(8 * 8);
    Parallelism.forEach(8, outer -> Parallelism.forEach(8, inner -> hits.incrementAndGet(outer * 8 + inner)));
    for (int i = 0; i < 64; i++) {
      assertThat(hits.get(i)).isEqualTo(1);
    }
  }

  @Test
  void aTaskKnowsItRunsInsideForEachOnEveryThread() {
    // (at 1 thread every call runs inline anyway: there is nothing to know)
    for (int threads : new int[] {2, 3}) {
      Parallelism.setThreads(threads);
      assertThat(Parallelism.inTask()).isFalse();
      AtomicIntegerArray inside = new AtomicIntegerArray(12);
      Parallelism.forEach(12, t -> inside.set(t, Parallelism.inTask() ? 1 : 0));
      for (int t = 0; t < 12; t++) {
        assertThat(inside.get(t)).isEqualTo(1);
      }
      assertThat(Parallelism.inTask()).isFalse(); // after the call, on the caller
    }
  }

  @Test
  void rethrowsTheFirstFailureAfterAllTasks() {
    Parallelism.setThreads(2);
    AtomicIntegerArray hits = new AtomicIntegerArray(16);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallelism.forEach(16, t -> {
      hits.incrementAndGet(t);
      if (t == 5) {
        throw new IllegalStateException("task 5");
      }
    }));
    assertThat(e).hasMessageThat().isEqualTo("task 5");
    for (int i = 0; i < 16; i++) {
      assertThat(hits.get(i)).isEqualTo(1);
    }
    // the pool still works
    AtomicIntegerArray again = new AtomicIntegerArray(4);
    Parallelism.forEach(4, again::incrementAndGet);
    assertThat(again.get(3)).isEqualTo(1);
  }
}
