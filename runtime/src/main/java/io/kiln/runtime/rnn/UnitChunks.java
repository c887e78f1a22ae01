package io.kiln.runtime.rnn;

import io.kiln.runtime.Parallelism;
import io.kiln.runtime.simd.RecurrentCells;

/**
 * How the step loop of a single sequence splits across threads: by hidden units. A batch of one
 * has no rows to share ({@link RowChunks}), and its step product {@code h_{t−1} · W_hhᵀ} reads all
 * of W_hh for 2·G·H² flops, so it runs at the speed of the cache that holds W_hh (charlstm's 1 MB
 * does not fit one Zen 5 core's L2 beside the rest). Split by units, each thread multiplies and
 * updates its units of every gate and reads only its part of W_hh, which stays in its own core's
 * L2 from step to step; the threads meet once per step ({@link Lockstep}), as h_t is read whole.
 *
 * <p>Chunks are whole packed panels of units ({@link RecurrentCells#panelColumns()}) but the last.
 * No element's bits depend on the split: each is the fma chain the batch path computes.
 */
final class UnitChunks {
  /**
   * The least W_hh, in floats (128 KB), worth a split. Measured on a Zen 5 core pair (one layer,
   * T = 24, 1 vs 2 threads): a 128 × 512 LSTM W_hh steps 30 % faster split, a 128 × 384 GRU 12 %,
   * a 96 × 384 LSTM 5 %; a 64 × 256 LSTM 3 % slower (the threads' meeting outweighs the halved
   * product).
   */
  static final long MIN_WEIGHTS = 1 << 15;

  /**
   * Never more chunks than cores: the threads meet every step, and a thread that waits for one
   * the operating system has descheduled waits a whole time slice (more threads than cores is a
   * setting the row and GEMM splits tolerate, as they meet once per call).
   */
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  private UnitChunks() {}

  /** The number of unit chunks for this call; 1 when the step loop runs by {@link RowChunks}. */
  static int count(int batch, RecurrentGeometry g, RecurrentCells cells) {
    if (batch != 1 || !cells.packsSteps() || (long) g.gateWidth() * g.hidden() < MIN_WEIGHTS) {
      return 1;
    }
    int panels = (g.hidden() + cells.panelColumns() - 1) / cells.panelColumns();
    return Math.max(1, Math.min(Math.min(Parallelism.threads(), CORES), panels));
  }

  /** The first unit of chunk {@code c} of {@code chunks} ({@code c = chunks} gives {@code hidden}). */
  static int start(int c, int hidden, int chunks, int panelColumns) {
    int panels = (hidden + panelColumns - 1) / panelColumns;
    return Math.min(hidden, (int) ((long) c * panels / chunks) * panelColumns);
  }

  /** The chunk that holds unit {@code u}. */
  static int of(int u, int hidden, int chunks, int panelColumns) {
    int c = 0;
    while (start(c + 1, hidden, chunks, panelColumns) <= u) {
      c++;
    }
    return c;
  }
}
