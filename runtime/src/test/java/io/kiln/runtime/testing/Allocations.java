package io.kiln.runtime.testing;

import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Checks that a step allocates nothing once the JIT has settled. Until C2 compiles a Vector API
 * kernel its vectors are boxed objects, C2 reaches colder paths late and may recompile, so a fixed
 * warm-up is either slow or flaky. This runs windows of steps and takes the least any window
 * allocated, stopping at the first that allocated nothing: a step that allocates on every call can
 * never produce a zero window. When no window is clean, 2 s more of windows run under Java Flight
 * Recorder and the failure names where the steady state allocates (what C2 failed to inline or
 * scalar-replace differs between machines, so the message must say it where CI ran).
 */
public final class Allocations {
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final int SITES = 8;
  private static final long RECORD_NANOS = 2_000_000_000L;
  private static final long SETTLE_NANOS = 30_000_000_000L;

  private Allocations() {}

  /**
   * Fails unless some window of {@code stepsPerWindow} steps allocated at most {@code slack} bytes on
   * this thread, naming {@code what} and the allocation sites of more recorded windows. Stops at the
   * first clean window; otherwise runs {@code windows} windows or 30 s, whichever is longer: C2 sometimes
   * settles late (with AVX2 and stingy inlining the mini GPT needed 17 to 70+ windows of 50 steps).
   */
  public static void assertAtMost(long slack, String what, Runnable step, int stepsPerWindow, int windows) {
    long least = Long.MAX_VALUE;
    int w = 0;
    long giveUp = System.nanoTime() + SETTLE_NANOS;
    for (; (w < windows || System.nanoTime() < giveUp) && least > slack; w++) {
      least = Math.min(least, window(step, stepsPerWindow));
    }
    if (least > slack) {
      throw new AssertionError(what + " allocated " + least + " bytes in the best of " + w + " windows of "
          + stepsPerWindow + " steps (at most " + slack + " expected); where 2 s of recorded windows allocated:\n"
          + sites(step, stepsPerWindow));
    }
  }

  /** {@link #assertAtMost} with no slack. */
  public static void assertNone(String what, Runnable step, int stepsPerWindow, int windows) {
    assertAtMost(0, what, step, stepsPerWindow, windows);
  }

  private static long window(Runnable step, int steps) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < steps; i++) {
      step.run();
    }
    return THREADS.getCurrentThreadAllocatedBytes() - before;
  }

  /** The first Kiln frame of each sampled allocation, most frequent first. */
  private static String sites(Runnable step, int steps) {
    try (Recording recording = new Recording()) {
      // every allocation sampled, however small (the default throttle keeps ~150 a second)
      recording.enable("jdk.ObjectAllocationSample").withStackTrace().with("throttle", "off");
      recording.start();
      // JFR samples at TLAB refills: record for a while so that a small steady allocation shows
      long until = System.nanoTime() + RECORD_NANOS;
      do {
        window(step, steps);
      } while (System.nanoTime() < until);
      recording.stop();
      Path file = Files.createTempFile("kiln-allocations", ".jfr");
      try {
        recording.dump(file);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
          if (event.getThread() == null || event.getThread().getJavaThreadId() != Thread.currentThread().threadId()) {
            continue;
          }
          counts.merge(site(event), 1, Integer::sum);
        }
        if (counts.isEmpty()) {
          return "  (no allocation sampled in 2 s of recorded windows)";
        }
        return counts.entrySet().stream()
            .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
            .limit(SITES)
            .map(e -> "  " + e.getValue() + " × " + e.getKey())
            .collect(Collectors.joining("\n"));
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String site(RecordedEvent event) {
    String type = event.getClass("objectClass").getName();
    if (event.getStackTrace() == null) {
      return type + " (no stack)";
    }
    for (RecordedFrame frame : event.getStackTrace().getFrames()) {
      String owner = frame.getMethod().getType().getName();
      if (owner.startsWith("io.kiln.") && !owner.equals(Allocations.class.getName())) {
        return type + " in " + owner + "." + frame.getMethod().getName() + " line " + frame.getLineNumber();
      }
    }
    return type + " outside Kiln";
  }
}
