package io.kiln.tests.behaviour;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;

/**
 * Measures what a training step allocates once the JIT has settled. Until C2 compiles a Vector API
 * kernel its vectors are boxed objects, C2 reaches colder paths late and may recompile, so a fixed
 * warm-up is either slow or flaky. This runs windows of steps and returns the least any window
 * allocated, stopping at the first that allocated nothing: a step that allocates on every call
 * can never produce a zero window, so the result is zero only if steady-state steps allocate nothing.
 */
public final class Allocations {
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Allocations() {}

  public static long afterWarmUp(Runnable step, int stepsPerWindow, int maxWindows) {
    long least = Long.MAX_VALUE;
    for (int w = 0; w < maxWindows && least > 0; w++) {
      least = Math.min(least, window(step, stepsPerWindow));
    }
    return least;
  }

  private static long window(Runnable step, int steps) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < steps; i++) {
      step.run();
    }
    return THREADS.getCurrentThreadAllocatedBytes() - before;
  }
}
