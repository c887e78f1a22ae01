package io.kiln.runtime.rnn;

import io.kiln.runtime.CallContexts;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.simd.RecurrentCells;
import io.kiln.runtime.simd.Vectorization;
import java.util.Arrays;

/**
 * The time-step loop of {@link Recurrent#forward}: for one {@link RowChunks chunk} of batch rows,
 * every step's recurrent product for those rows, then their cell updates; or, for a single
 * sequence split by {@link UnitChunks}, W_hh's packing and then every step for one chunk of hidden
 * units, in {@link Lockstep} with the other chunks. One call's arguments; taken from {@link #CALLS}
 * and filled by {@code Recurrent.forward}, so a call allocates nothing. Workspace offsets are those
 * of {@code Recurrent.forward}'s layout.
 */
final class ForwardSteps extends StepLoop implements Lockstep.Work {
  private static final GemmKernel GEMM = Vectorization.provider().gemm();
  private static final RecurrentCells CELLS = Vectorization.provider().recurrentCells();

  static final CallContexts<ForwardSteps> CALLS = new CallContexts<>(4, ForwardSteps::new);

  /** The GRU's one-step recurrent product {@code [B, 3H]} in the workspace. */
  int rec;
  float[] bHh;
  int bHhOff;
  Epilogue recEp;
  boolean zeroH0;
  float[] y;
  int yOff;
  float[] hT;
  int hTOff;
  /** Chunks of hidden units (batch 1, {@link UnitChunks}); 1: the loop runs by chunks of rows. */
  int units = 1;
  private final Lockstep lockstep = new Lockstep();

  @Override
  int tasks() {
    if (units == 1) {
      return super.tasks();
    }
    lockstep.reset(units, steps + 1);
    return units;
  }

  @Override
  public void accept(int task) {
    if (units == 1) {
      super.accept(task);
    } else {
      lockstep.join(task, this);
    }
  }

  @Override
  void rows(int b0, int b1) {
    for (int t = 0; t < steps; t++) {
      product(t, b0, b1);
      cells(t, b0, b1, 0, h);
    }
  }

  /** Phase 0: W_hh's packed panels of this chunk; phase t + 1: step t of the chunk's units. */
  @Override
  public void run(int chunk, int phase) {
    if (phase == 0) {
      // the panels whose first column is one of this chunk's units: those it multiplies (all of
      // them when the hidden size is a multiple of the panel width), packed into its own cache
      int nr = CELLS.panelColumns();
      for (int q = 0; q * nr < gh; q++) {
        if (UnitChunks.of((q * nr) % h, h, units, nr) == chunk) {
          CELLS.packPanels(true, wHh, wHhOff, h, gh, ws, packed, q, q + 1);
        }
      }
      return;
    }
    int t = phase - 1;
    int u0 = UnitChunks.start(chunk, h, units, CELLS.panelColumns());
    int u1 = UnitChunks.start(chunk + 1, h, units, CELLS.panelColumns());
    boolean gru = kind == CellKind.GRU;
    int c = gru ? rec : acts + t * gh;
    if (t == 0 && zeroH0) {
      firstStep(0, u0, u1);
    } else {
      CELLS.multiplyRow(h, ws, hprev + t * h, packed, c, u0, u1, kind.gates(), h, !gru, bHh, bHhOff);
    }
    cells(t, 0, 1, u0, u1);
  }

  @Override
  void clear() {
    bHh = null;
    recEp = null;
    y = null;
    hT = null;
  }

  /** The recurrent product of all gates for rows {@code [b0, b1)} of step t. */
  private void product(int t, int b0, int b1) {
    boolean gru = kind == CellKind.GRU;
    int ldh = steps * h;
    int ldg = steps * gh;
    int rows = b1 - b0;
    int a = hprev + b0 * ldh + t * h;
    int c = gru ? rec + b0 * gh : acts + b0 * ldg + t * gh;
    if (t == 0 && zeroH0) {
      for (int b = b0; b < b1; b++) {
        firstStep(b, 0, h);
      }
    } else if (packed >= 0) {
      CELLS.multiplyPacked(rows, gh, h, ws, a, ldh, packed, c, gru ? gh : ldg, !gru, bHh, bHhOff);
    } else {
      GEMM.gemm(Layout.NT, rows, gh, h, ws, a, wHh, wHhOff, ws, c, recEp, stepRows);
    }
  }

  /** Step 0's product of units {@code [u0, u1)} of row b when h_{−1} = 0: b_hh alone. */
  private void firstStep(int b, int u0, int u1) {
    boolean gru = kind == CellKind.GRU;
    int row = gru ? rec + b * gh : acts + b * steps * gh;
    for (int j0 = u0; j0 < gh; j0 += h) {
      int j1 = j0 - u0 + u1;
      if (gru) {
        if (bHh == null) {
          Arrays.fill(ws, row + j0, row + j1, 0f);
        } else {
          System.arraycopy(bHh, bHhOff + j0, ws, row + j0, j1 - j0);
        }
      } else if (bHh != null) {
        for (int j = j0; j < j1; j++) {
          ws[row + j] += bHh[bHhOff + j];
        }
      }
    }
  }

  /**
   * One fused pass per row of {@code [b0, b1)} over its units {@code [u0, u1)}: activations, cell
   * and hidden update of step t.
   */
  private void cells(int t, int b0, int b1, int u0, int u1) {
    boolean last = t == steps - 1;
    int n = u1 - u0;
    for (int b = b0; b < b1; b++) {
      int row = b * steps + t;
      int a = acts + row * gh + u0;
      // where h_t goes first: the next step's previous-state row, else y, else hT
      float[] dst;
      int dstOff;
      if (!last) {
        dst = ws;
        dstOff = hprev + (row + 1) * h + u0;
      } else if (y != null) {
        dst = y;
        dstOff = yOff + row * h + u0;
      } else {
        dst = hT;
        dstOff = hTOff + b * h + u0;
      }
      switch (kind) {
        case RNN_TANH, RNN_RELU -> {
          CELLS.elmanForward(kind == CellKind.RNN_RELU, ws, a, n);
          System.arraycopy(ws, a, dst, dstOff, n);
        }
        case LSTM -> {
          float[] cp = t == 0 ? c0 : ws;
          int cpOff = (t == 0 ? c0Off + b * h : extra + (row - 1) * h) + u0;
          CELLS.lstmForward(ws, a, cp, cpOff, ws, extra + row * h + u0, dst, dstOff, n, h);
        }
        case GRU -> CELLS.gruForward(ws, a, ws, rec + b * gh + u0, ws, hprev + row * h + u0,
            ws, extra + row * h + u0, dst, dstOff, n, h);
      }
      if (!last) {
        if (y != null) {
          System.arraycopy(ws, dstOff, y, yOff + row * h + u0, n);
        }
      } else if (dst == y && hT != null) {
        System.arraycopy(y, dstOff, hT, hTOff + b * h + u0, n);
      }
    }
  }
}
