package io.kiln.runtime.rnn;

import io.kiln.runtime.Parallelism;

/**
 * How a recurrent layer's step loop splits the batch across threads: the recurrence is
 * independent across batch rows, so each chunk of consecutive rows runs all T steps (step product
 * and cell update) on one thread, one fork per call instead of one per step.
 *
 * <p>The chunk count follows {@link Parallelism#threads()}, unlike the fixed splits of the other
 * kernels, because no row's bits depend on which chunk holds it: every element of a step product
 * is one fma chain over k, whichever tile or single-row path computes it (the tests check this
 * across thread counts and batch sizes), and the cell passes work row by row. One thread thus runs
 * one chunk, which streams the packed W_hh once per step rather than once per chunk. Chunks are
 * whole micro-kernel tiles ({@value #TILE_ROWS} rows) but the last, so no chunk pads a tile
 * that another chunk could have filled.
 */
final class RowChunks {
  /** The height of the step product's micro-kernel tile. */
  static final int TILE_ROWS = 8;

  private RowChunks() {}

  /** How many chunks {@code batch} rows are split into for the current thread count. */
  static int count(int batch) {
    return Math.max(1, Math.min(Parallelism.threads(), (batch + TILE_ROWS - 1) / TILE_ROWS));
  }

  /** The first row of chunk {@code c} of {@code chunks} ({@code c = chunks} gives {@code batch}). */
  static int start(int c, int batch, int chunks) {
    int tiles = (batch + TILE_ROWS - 1) / TILE_ROWS;
    return Math.min(batch, (int) ((long) c * tiles / chunks) * TILE_ROWS);
  }
}
