package io.kiln.runtime.panama;

import static io.kiln.runtime.panama.PanamaGemm.MR;
import static io.kiln.runtime.panama.PanamaGemm.NC;
import static io.kiln.runtime.panama.PanamaGemm.NR;

import io.kiln.runtime.gemm.GemmBlocking;

/**
 * Splits C into a grid of rectangles, one task each, for a number of threads. Each task packs its
 * own panels, so splitting N repacks A once per extra column of tasks and splitting M repacks B
 * once per extra row: the grid minimises (rounds of tasks) × (multiply-adds + packing) of the
 * largest task. The grid never changes a result (the K blocking does not depend on it), only
 * which thread computes which elements.
 */
final class GemmTaskGrid {
  /** The cost of packing one float, in flops of the micro-kernel (measured: 45 for B, 75 for A). */
  static final double PACK_FLOPS = 64;
  /** The cost of handing out one more round of tasks (a wake-up and a cache warm-up), in flops. */
  static final double ROUND_FLOPS = 200_000;
  /**
   * The cost of splitting at all, in flops: waking the pool and waiting for its last task. 64³ on
   * two threads ran at 0.7× one thread without it (1.5 M ≈ 7 µs of the micro-kernel).
   */
  static final double SPLIT_FLOPS = 1_500_000;
  /** At most this many tasks per thread. */
  static final int TASKS_PER_THREAD = 4;

  private GemmTaskGrid() {}

  /** The grid for {@code C[m×n] = op(A)[m×k]·op(B)[k×n]} on {@code threads}: rows × columns, see {@link #rows}. */
  static long choose(int m, int n, int k, int threads) {
    if (threads <= 1) {
      return grid(1, 1);
    }
    int mu = GemmBlocking.ceilDiv(m, MR);
    int nu = GemmBlocking.ceilDiv(n, NR);
    int limit = TASKS_PER_THREAD * threads;
    double best = Double.MAX_VALUE;
    long choice = grid(1, 1);
    for (int gm = 1; gm <= Math.min(mu, limit); gm++) {
      int rowUnits = GemmBlocking.ceilDiv(mu, gm);
      if (GemmBlocking.ceilDiv(mu, rowUnits) != gm) {
        continue; // same rectangles as a smaller grid
      }
      double rows = rowUnits * MR;
      for (int gn = 1; gn <= Math.min(nu, limit / gm); gn++) {
        int colUnits = GemmBlocking.ceilDiv(nu, gn);
        if (GemmBlocking.ceilDiv(nu, colUnits) != gn) {
          continue;
        }
        double cols = colUnits * NR;
        double task = 2 * rows * cols * k
            + PACK_FLOPS * (rows * k * GemmBlocking.ceilDiv(colUnits * NR, NC) + cols * k);
        double cost = GemmBlocking.ceilDiv(gm * gn, threads) * (task + ROUND_FLOPS) + (gm * gn > 1 ? SPLIT_FLOPS : 0);
        if (cost < best) {
          best = cost;
          choice = grid(gm, gn);
        }
      }
    }
    return choice;
  }

  static long grid(int rows, int cols) {
    return (long) rows << 32 | cols;
  }

  /** Rows of rectangles in a grid from {@link #choose}. */
  static int rows(long grid) {
    return (int) (grid >>> 32);
  }

  /** Columns of rectangles in a grid from {@link #choose}. */
  static int cols(long grid) {
    return (int) grid;
  }
}
