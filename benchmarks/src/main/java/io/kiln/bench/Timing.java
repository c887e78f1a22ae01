package io.kiln.bench;

import java.util.Arrays;

/** A small hand-written harness: warm-up, then at least {@code reps} timed repetitions. */
final class Timing {
  private Timing() {}

  /** Seconds per call: median and minimum over the repetitions. */
  record Result(double medianSeconds, double minSeconds, int callsPerRep, int reps) {}

  /**
   * Warms {@code op} up for {@code warmupSeconds}, then times {@code reps} repetitions of enough
   * calls to last about {@code repSeconds} each.
   */
  static Result measure(Runnable op, double warmupSeconds, double repSeconds, int reps) {
    long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
    int calls = 0;
    long t0 = System.nanoTime();
    do {
      op.run();
      calls++;
    } while (System.nanoTime() < end || calls < 3);
    double perCall = (System.nanoTime() - t0) / 1e9 / calls;
    int callsPerRep = (int) Math.max(1, Math.min(1_000_000, Math.round(repSeconds / perCall)));
    double[] t = new double[reps];
    for (int r = 0; r < reps; r++) {
      long s = System.nanoTime();
      for (int i = 0; i < callsPerRep; i++) {
        op.run();
      }
      t[r] = (System.nanoTime() - s) / 1e9 / callsPerRep;
    }
    Arrays.sort(t);
    double median = reps % 2 == 1 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2;
    return new Result(median, t[0], callsPerRep, reps);
  }

  static String fmt(double x) {
    return String.format(java.util.Locale.ROOT, "%.2f", x);
  }
}
