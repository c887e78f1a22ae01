package io.kiln.tests.behaviour;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;

/**
 * Measures what a training step allocates once the JIT has settled. Until C2 compiles a Vector API
 * kernel its vectors are boxed objects, and C2 reaches colder paths late, so a fixed warm-up is
 * either slow or flaky: this one runs windows of steps until a window allocates nothing (or gives
 * up after {@code maxWindows}), then returns what one more window allocates.
 */
final class Allocations {
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Allocations() {}

  static long afterWarmUp(Runnable step, int stepsPerWindow, int maxWindows) {
    for (int w = 0; w < maxWindows; w++) {
      if (window(step, stepsPerWindow) == 0) {
        break;
      }
    }
    return window(step, stepsPerWindow);
  }

  private static long window(Runnable step, int steps) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < steps; i++) {
      step.run();
    }
    return THREADS.getCurrentThreadAllocatedBytes() - before;
  }
}
