package io.kiln.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-thread FP32 FMA throughput probe (port of {@code ../shared/peers/FmaPeak.java}): 12
 * independent FMA chains on the preferred vector width. The physical limit GEMM is measured against.
 */
public final class FmaPeak {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  private FmaPeak() {}

  static float run(long iters) {
    FloatVector b = FloatVector.broadcast(S, 1.0000001f), c = FloatVector.broadcast(S, 1e-7f);
    FloatVector a0 = FloatVector.broadcast(S, 1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0,
        a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
    for (long k = 0; k < iters; k++) {
      a0 = a0.fma(b, c); a1 = a1.fma(b, c); a2 = a2.fma(b, c); a3 = a3.fma(b, c);
      a4 = a4.fma(b, c); a5 = a5.fma(b, c); a6 = a6.fma(b, c); a7 = a7.fma(b, c);
      a8 = a8.fma(b, c); a9 = a9.fma(b, c); a10 = a10.fma(b, c); a11 = a11.fma(b, c);
    }
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
        .reduceLanes(VectorOperators.ADD);
  }

  /** The flops of {@code run(iters)}. */
  static double flops(long iters) {
    return iters * 12.0 * S.length() * 2;
  }

  /** Best of {@code reps} runs, in GFLOP/s (as the peer program reports). */
  public static double measure(int reps) {
    long iters = 20_000_000L;
    for (int w = 0; w < 5; w++) {
      run(iters / 10);
    }
    double best = 0;
    float sink = 0;
    for (int r = 0; r < reps; r++) {
      long t = System.nanoTime();
      sink += run(iters);
      double dt = (System.nanoTime() - t) / 1e9;
      best = Math.max(best, flops(iters) / dt / 1e9);
    }
    if (sink == 42) {
      System.err.print("");
    }
    return best;
  }

  /**
   * {@code threads} copies of {@link #measure} at once, in total GFLOP/s (sum over the threads): what
   * the cores can do together, the ceiling for a multi-threaded GEMM.
   */
  public static double measureParallel(int threads, int reps) throws InterruptedException {
    double[] each = new double[threads];
    Thread[] ts = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      ts[t] = new Thread(() -> each[id] = measure(reps));
      ts[t].start();
    }
    double sum = 0;
    for (int t = 0; t < threads; t++) {
      ts[t].join();
      sum += each[t];
    }
    return sum;
  }

  public static void main(String[] args) {
    System.out.printf("%.1f%n", measure(5));
  }
}
