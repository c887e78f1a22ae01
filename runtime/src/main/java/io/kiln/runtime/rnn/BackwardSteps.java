package io.kiln.runtime.rnn;

import io.kiln.runtime.CallContexts;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.simd.RecurrentCells;
import io.kiln.runtime.simd.Vectorization;

/**
 * The time-step loop of {@link Recurrent#backward} for one {@link RowChunks chunk} of batch rows:
 * per step, from the last, those rows' gate gradients and {@code dh_{t−1} (+)= dGates_t · W_hh}.
 * One call's arguments; taken from {@link #CALLS} and filled by {@code Recurrent.backward}, so a
 * call allocates nothing. Workspace and scratch offsets are those of {@code Recurrent.backward}'s
 * layout.
 */
final class BackwardSteps extends StepLoop {
  private static final GemmKernel GEMM = Vectorization.provider().gemm();
  private static final RecurrentCells CELLS = Vectorization.provider().recurrentCells();

  static final CallContexts<BackwardSteps> CALLS = new CallContexts<>(4, BackwardSteps::new);

  /** The backward scratch; {@code dA}, {@code dh}, {@code dc}, {@code dN}: its regions (see {@code Recurrent.backward}). */
  float[] sc;
  int dA;
  int dh;
  int dc;
  int dN;
  float[] dy;
  int dyOff;
  /** Whether {@code dh_{−1}} is wanted (so step 0's product runs too). */
  boolean wantDh0;

  @Override
  void rows(int b0, int b1) {
    boolean gru = kind == CellKind.GRU;
    int ldg = steps * gh;
    for (int t = steps - 1; t >= 0; t--) {
      gateGradients(t, b0, b1);
      if (t > 0 || wantDh0) {
        int a = dA + b0 * ldg + t * gh;
        if (packed >= 0) {
          CELLS.multiplyPacked(b1 - b0, h, gh, sc, a, ldg, packed, dh + b0 * h, h, gru, null, 0);
        } else {
          GEMM.gemm(Layout.NN, b1 - b0, h, gh, sc, a, wHh, wHhOff, sc, dh + b0 * h,
              gru ? Epilogue.ACCUMULATE : Epilogue.NONE, stepRows);
        }
      }
    }
  }

  @Override
  void clear() {
    sc = null;
    dy = null;
  }

  /** One fused pass per row of {@code [b0, b1)}: the gate gradients of step t. */
  private void gateGradients(int t, int b0, int b1) {
    for (int b = b0; b < b1; b++) {
      int row = b * steps + t;
      int a = acts + row * gh;
      int dyRow = dyOff + row * h;
      switch (kind) {
        case RNN_TANH, RNN_RELU -> CELLS.elmanBackward(kind == CellKind.RNN_RELU, ws, a, sc, dh + b * h, dy,
            dyRow, sc, dA + row * gh, h);
        case LSTM -> {
          float[] cp = t == 0 ? c0 : ws;
          int cpOff = t == 0 ? c0Off + b * h : extra + (row - 1) * h;
          CELLS.lstmBackward(ws, a, extra + row * h, cp, cpOff, sc, dh + b * h, dy, dyRow, dc + b * h, dA + row * gh, h);
        }
        case GRU -> CELLS.gruBackward(ws, a, extra + row * h, hprev + row * h, sc, dh + b * h, dy, dyRow, dA + row * gh,
            dN + row * h, h);
      }
    }
  }
}
