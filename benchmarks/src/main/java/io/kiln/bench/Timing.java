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
      t[r] = secondsPerCall(op, callsPerRep);
    }
    return summary(t, callsPerRep);
  }

  /** One timed repetition: {@code calls} calls of {@code op}, in seconds per call. */
  private static double secondsPerCall(Runnable op, int calls) {
    long s = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      op.run();
    }
    return (System.nanoTime() - s) / 1e9 / calls;
  }

  /** Median and minimum of the repetitions' seconds per call. */
  private static Result summary(double[] t, int callsPerRep) {
    return new Result(median(t), min(t), callsPerRep, t.length);
  }

  /** The median of {@code t} (the mean of the middle two for an even count); {@code t} is left as it was. */
  static double median(double[] t) {
    if (t.length == 0) {
      throw new IllegalArgumentException("median of no values");
    }
    double[] sorted = t.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /**
   * The nearest-rank percentile of {@code t} ({@code p} in (0, 1]): the smallest value with at least
   * a fraction {@code p} of the values at or below it. The ONNX Runtime peer computes it the same way.
   */
  static double percentile(double[] t, double p) {
    if (t.length == 0) {
      throw new IllegalArgumentException("percentile of no values");
    }
    double[] sorted = t.clone();
    Arrays.sort(sorted);
    return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
  }

  /**
   * The ms of each call of {@code op}: at least {@code minCalls} calls, and more until {@code secs}
   * have passed, after a warm-up of at least 100 calls and {@code warmupSecs}.
   */
  static double[] latenciesMs(Runnable op, int minCalls, double warmupSecs, double secs) {
    long w0 = System.nanoTime();
    for (int i = 0; i < 100 || System.nanoTime() - w0 < warmupSecs * 1e9; i++) {
      op.run();
    }
    double[] ms = new double[Math.max(minCalls, 1024)];
    int n = 0;
    long t0 = System.nanoTime();
    while (n < minCalls || (System.nanoTime() - t0 < secs * 1e9 && n < 1_000_000)) {
      long s = System.nanoTime();
      op.run();
      long e = System.nanoTime();
      if (n == ms.length) {
        ms = Arrays.copyOf(ms, 2 * n);
      }
      ms[n++] = (e - s) / 1e6;
    }
    return Arrays.copyOf(ms, n);
  }

  /** The smallest of {@code t}. */
  static double min(double[] t) {
    return Arrays.stream(t).min().orElseThrow(() -> new IllegalArgumentException("minimum of no values"));
  }

  /**
   * Like {@link #measure} for several ops at once, their timed repetitions interleaved (op 0, op 1,
   * …, op 0, …) so that a noisy neighbour slows all of them alike and their ratios hold.
   * {@code setups[i]} runs, untimed, before each repetition of {@code ops[i]} (e.g. to set the
   * thread count), followed by one untimed call.
   */
  static Result[] measureInterleaved(Runnable[] setups, Runnable[] ops, double warmupSeconds, double repSeconds,
      int reps) {
    int n = ops.length;
    int[] callsPerRep = new int[n];
    for (int o = 0; o < n; o++) {
      setups[o].run();
      callsPerRep[o] = measure(ops[o], warmupSeconds, repSeconds, 1).callsPerRep();
    }
    double[][] t = new double[n][reps];
    for (int r = 0; r < reps; r++) {
      for (int o = 0; o < n; o++) {
        setups[o].run();
        ops[o].run();
        t[o][r] = secondsPerCall(ops[o], callsPerRep[o]);
      }
    }
    Result[] results = new Result[n];
    for (int o = 0; o < n; o++) {
      results[o] = summary(t[o], callsPerRep[o]);
    }
    return results;
  }

  static String fmt(double x) {
    return String.format(java.util.Locale.ROOT, "%.2f", x);
  }
}
