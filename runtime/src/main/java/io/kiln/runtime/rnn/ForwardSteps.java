package io.kiln.runtime.rnn;

import io.kiln.runtime.CallContexts;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.simd.RecurrentCells;
import io.kiln.runtime.simd.Vectorization;
import java.util.Arrays;

/**
 * The time-step loop of {@link Recurrent#forward} for one {@link RowChunks chunk} of batch rows:
 * every step's recurrent product for those rows, then their cell updates. One call's arguments;
 * taken from {@link #CALLS} and filled by {@code Recurrent.forward}, so a call allocates nothing.
 * Workspace offsets are those of {@code Recurrent.forward}'s layout.
 */
final class ForwardSteps extends StepLoop {
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

  @Override
  void rows(int b0, int b1) {
    for (int t = 0; t < steps; t++) {
      product(t, b0, b1);
      cells(t, b0, b1);
    }
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
      // h_{−1} = 0: the product is b_hh alone
      for (int b = b0; b < b1; b++) {
        if (gru) {
          if (bHh == null) {
            Arrays.fill(ws, rec + b * gh, rec + (b + 1) * gh, 0f);
          } else {
            System.arraycopy(bHh, bHhOff, ws, rec + b * gh, gh);
          }
        } else if (bHh != null) {
          int row = acts + b * ldg;
          for (int j = 0; j < gh; j++) {
            ws[row + j] += bHh[bHhOff + j];
          }
        }
      }
    } else if (packed >= 0) {
      CELLS.multiplyPacked(rows, gh, h, ws, a, ldh, packed, c, gru ? gh : ldg, !gru, bHh, bHhOff);
    } else {
      GEMM.gemm(Layout.NT, rows, gh, h, ws, a, wHh, wHhOff, ws, c, recEp, stepRows);
    }
  }

  /** One fused pass per row of {@code [b0, b1)}: activations, cell and hidden update of step t. */
  private void cells(int t, int b0, int b1) {
    boolean last = t == steps - 1;
    for (int b = b0; b < b1; b++) {
      int row = b * steps + t;
      int a = acts + row * gh;
      // where h_t goes first: the next step's previous-state row, else y, else hT
      float[] dst;
      int dstOff;
      if (!last) {
        dst = ws;
        dstOff = hprev + (row + 1) * h;
      } else if (y != null) {
        dst = y;
        dstOff = yOff + row * h;
      } else {
        dst = hT;
        dstOff = hTOff + b * h;
      }
      switch (kind) {
        case RNN_TANH, RNN_RELU -> {
          CELLS.elmanForward(kind == CellKind.RNN_RELU, ws, a, h);
          System.arraycopy(ws, a, dst, dstOff, h);
        }
        case LSTM -> {
          float[] cp = t == 0 ? c0 : ws;
          int cpOff = t == 0 ? c0Off + b * h : extra + (row - 1) * h;
          CELLS.lstmForward(ws, a, cp, cpOff, ws, extra + row * h, dst, dstOff, h);
        }
        case GRU -> CELLS.gruForward(ws, a, ws, rec + b * gh, ws, hprev + row * h, ws, extra + row * h,
            dst, dstOff, h);
      }
      if (!last) {
        if (y != null) {
          System.arraycopy(ws, dstOff, y, yOff + row * h, h);
        }
      } else if (dst == y && hT != null) {
        System.arraycopy(y, dstOff, hT, hTOff + b * h, h);
      }
    }
  }
}
