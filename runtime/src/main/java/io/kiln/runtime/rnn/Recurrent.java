package io.kiln.runtime.rnn;

import io.kiln.runtime.Checks;
import io.kiln.dsl.Activation;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.gemm.LeadingDimensions;
import io.kiln.runtime.simd.ElementwiseKernels;
import io.kiln.runtime.simd.RecurrentCells;
import io.kiln.runtime.simd.Vectorization;
import java.util.Arrays;
import java.util.Objects;

/**
 * Elman RNN, LSTM and GRU layers over batch-first sequences {@code x [B, T, F]} with PyTorch's
 * weight layouts and gate orders (see {@link CellKind}), forward and backpropagation through time.
 *
 * <p>Fusion. Forward: the input projection of all steps is one GEMM
 * ({@code X[B·T, F] · W_ihᵀ + b_ih} into a {@code [B, T, G·H]} workspace); each step is one GEMM
 * for all gates ({@code h_{t−1}[B, H] · W_hhᵀ + b_hh}, accumulated into step t's rows of that
 * workspace through its leading dimension {@code T·G·H}; for the GRU into a separate
 * {@code [B, 3H]} buffer because r multiplies {@code W_hn h + b_hn}) and one fused pass
 * ({@link RecurrentCells}) for the gate activations and the cell/hidden update. Backward: per step
 * one fused pass for the gate gradients and one GEMM {@code dh_{t−1} = dGates_t · W_hh}; then for all
 * steps at once {@code dW_ih += dGatesᵀ·X}, {@code dW_hh += dGatesᵀ·H_prev} (one TN GEMM over the
 * {@code [B·T, H]} previous hidden states kept by forward), {@code dX = dGates · W_ih} and the bias
 * column sums. For the GRU, whose n gate has different input-side and recurrent gradients
 * ({@code dn̂} vs {@code dn̂⊙r}), the input-side n-gate gradients are swapped into the gate-gradient
 * rows once dW_hh and b_hh have used the recurrent ones (and swapped back after), so dW_ih and dX
 * are one GEMM each too.
 *
 * <p>The step products use {@code W_hh} packed once per call into the GEMM micro-kernel's panel
 * layout ({@link RecurrentCells#multiplyPacked}; the general GEMM would repack it every step, which
 * cost as much as the multiply-adds at charlstm size); without the Vector API they are general
 * GEMM calls. Threads: the recurrence is independent across batch rows, so the step loops
 * ({@link ForwardSteps}, {@link BackwardSteps}) split the batch into {@link RowChunks} and each
 * thread runs every step of its rows, product and cell passes, with one fork per call rather than
 * one per step; a batch of one tile runs on one thread, its step products split over column panels,
 * except a single sequence's: with a large W_hh its hidden units are split across threads
 * ({@link UnitChunks}), each thread packing and multiplying its part of W_hh, the threads meeting
 * once per step.
 * Other GEMMs are {@link Vectorization#provider()}'s (parallel, results independent of the thread
 * count); the fused passes are the Vector API ones when available. Nothing is allocated per call
 * once the bias epilogues for the caller's bias arrays are cached (first call). The oracle is
 * {@code RecurrentReference} (in the tests).
 */
public final class Recurrent {
  private static final GemmKernel GEMM = Vectorization.provider().gemm();
  private static final ElementwiseKernels ELEMENTWISE = Vectorization.provider().elementwise();
  private static final RecurrentCells CELLS = Vectorization.provider().recurrentCells();

  /** {@code C = A·Bᵀ + bias} (input projection; GRU recurrent product). */
  private static final EpilogueCache STORE_BIAS = new EpilogueCache(false);
  /** {@code C += A·Bᵀ + bias} (recurrent product into the gate pre-activations). */
  private static final EpilogueCache ACCUMULATE_BIAS = new EpilogueCache(true);

  private Recurrent() {}

  /**
   * Runs the layer over {@code steps} time steps.
   *
   * @param x {@code [B, T, F]} input sequence
   * @param wIh {@code weight_ih [G·H, F]}; {@code wHh} {@code weight_hh [G·H, H]}
   * @param bIh {@code bias_ih [G·H]} or null (no bias); {@code bHh} likewise
   * @param h0 {@code [B, H]} initial hidden state, or null for zeros
   * @param c0 {@code [B, H]} initial cell state (LSTM only; ignored otherwise), or null for zeros
   * @param y {@code [B, T, H]}: every step's hidden state, or null when only the final state is used
   * @param hT {@code [B, H]}: the final hidden state, or null (y and hT must not both be null)
   * @param cT {@code [B, H]}: the final cell state (LSTM only), or null
   * @param workspace {@link RecurrentGeometry#workspaceFloats(int, int)} floats at {@code wsOff}:
   *     written here, read by {@link #backward}; must not change in between
   */
  static void forward(RecurrentGeometry g, int batch, int steps, float[] x, int xOff,
      float[] wIh, int wIhOff, float[] wHh, int wHhOff, float[] bIh, int bIhOff, float[] bHh, int bHhOff,
      float[] h0, int h0Off, float[] c0, int c0Off, float[] y, int yOff, float[] hT, int hTOff, float[] cT, int cTOff,
      float[] workspace, int wsOff) {
    forward(g, batch, steps, x, xOff, wIh, wIhOff, wHh, wHhOff, bIh, bIhOff, bHh, bHhOff, h0, h0Off, c0, c0Off, y, yOff,
        hT, hTOff, cT, cTOff, workspace, wsOff, false);
  }

  /**
   * {@link #forward} whose input projection is already in the workspace ({@code inputProjected}:
   * {@link #projectTable} and {@link #gatherProjection} wrote it); x is then only range-checked.
   */
  static void forward(RecurrentGeometry g, int batch, int steps, float[] x, int xOff,
      float[] wIh, int wIhOff, float[] wHh, int wHhOff, float[] bIh, int bIhOff, float[] bHh, int bHhOff,
      float[] h0, int h0Off, float[] c0, int c0Off, float[] y, int yOff, float[] hT, int hTOff, float[] cT, int cTOff,
      float[] workspace, int wsOff, boolean inputProjected) {
    Objects.requireNonNull(g, "geometry");
    Checks.batchAndSteps(batch, steps);
    final CellKind kind = g.kind();
    final boolean lstm = kind == CellKind.LSTM;
    final int h = g.hidden();
    final int f = g.input();
    final int gh = g.gateWidth();
    final int bt = batch * steps;
    Checks.range("x", x, xOff, (long) g.inputSize(batch, steps));
    Checks.range("weight_ih", wIh, wIhOff, g.weightIhSize());
    Checks.range("weight_hh", wHh, wHhOff, g.weightHhSize());
    Checks.optionalRange("bias_ih", bIh, bIhOff, gh);
    Checks.optionalRange("bias_hh", bHh, bHhOff, gh);
    Checks.optionalRange("h0", h0, h0Off, g.stateSize(batch));
    Checks.optionalRange("y", y, yOff, g.outputSize(batch, steps));
    Checks.optionalRange("hT", hT, hTOff, g.stateSize(batch));
    if (lstm) {
      Checks.optionalRange("c0", c0, c0Off, g.stateSize(batch));
      Checks.optionalRange("cT", cT, cTOff, g.stateSize(batch));
    }
    Checks.range("workspace", workspace, wsOff, g.workspaceFloats(batch, steps));
    if (y == null && hT == null) {
      throw new IllegalArgumentException("Recurrent.forward needs y or hT (or both) to write the hidden state to");
    }
    final float[] ws = workspace;
    final int acts = wsOff;
    final int hprev = acts + bt * gh;
    final int extra = hprev + bt * h; // LSTM: c_t; GRU: W_hn h_{t−1} + b_hn
    final int rec = extra + bt * h; // GRU: one step's recurrent product [B, 3H]
    final int packed = wsOff + g.workspaceFloats(batch, steps) - g.packedRecurrentWeights();
    final boolean usePacked = CELLS.packsSteps();
    // a single long sequence splits its units across threads, each packing its share of W_hh
    final int units = UnitChunks.count(batch, g, CELLS);
    if (usePacked && units == 1) {
      CELLS.pack(true, wHh, wHhOff, h, gh, ws, packed);
    }

    // 1. input projection of every step: acts[B·T, G·H] = X · W_ihᵀ + b_ih
    if (!inputProjected) {
      GEMM.gemm(Layout.NT, bt, gh, f, x, xOff, wIh, wIhOff, ws, acts, bIh == null ? Epilogue.NONE : STORE_BIAS.get(bIh, bIhOff));
    }

    // 2. h_{−1} into the previous-state rows (b, 0)
    for (int b = 0; b < batch; b++) {
      int dst = hprev + b * steps * h;
      if (h0 == null) {
        Arrays.fill(ws, dst, dst + h, 0f);
      } else {
        System.arraycopy(h0, h0Off + b * h, ws, dst, h);
      }
    }

    final boolean gru = kind == CellKind.GRU;
    ForwardSteps loop = ForwardSteps.CALLS.take();
    // step t's rows of the [B, T, ·] workspace; needed only without packed step products (scalar kernels)
    loop.layer(g, batch, steps, ws, wsOff, usePacked ? packed : -1, wHh, wHhOff,
        usePacked ? null : new LeadingDimensions(steps * h, 0, gru ? 0 : steps * gh), c0, c0Off);
    loop.rec = rec;
    loop.bHh = bHh;
    loop.bHhOff = bHhOff;
    loop.recEp = gru
        ? (bHh == null ? Epilogue.NONE : STORE_BIAS.get(bHh, bHhOff))
        : (bHh == null ? Epilogue.ACCUMULATE : ACCUMULATE_BIAS.get(bHh, bHhOff));
    loop.zeroH0 = h0 == null;
    loop.y = y;
    loop.yOff = yOff;
    loop.hT = hT;
    loop.hTOff = hTOff;
    loop.units = units;
    // 3, 4. per step, for each chunk of batch rows on its own thread: the recurrent product of all
    // gates, then one fused pass per row (activations, cell and hidden update)
    loop.run();
    ForwardSteps.CALLS.give(loop);
    if (lstm && cT != null) {
      for (int b = 0; b < batch; b++) {
        System.arraycopy(ws, extra + (b * steps + steps - 1) * h, cT, cTOff + b * h, h);
      }
    }
  }

  /**
   * {@code projected[vocab, G·H] = table · W_ihᵀ + b_ih}: the input projection of every row of an
   * embedding table, the same GEMM and epilogue as {@link #forward}'s step 1, so a row of it has the
   * bits of step 1's row for an input that is that table row.
   */
  static void projectTable(RecurrentGeometry g, int vocab, float[] table, int tableOff, float[] wIh, int wIhOff,
      float[] bIh, int bIhOff, float[] projected) {
    GEMM.gemm(Layout.NT, vocab, g.gateWidth(), g.input(), table, tableOff, wIh, wIhOff, projected, 0,
        bIh == null ? Epilogue.NONE : STORE_BIAS.get(bIh, bIhOff));
  }

  /** Step 1 from a projected table: the workspace's row p of the input projection is row {@code tokens[p]}. */
  static void gatherProjection(RecurrentGeometry g, int batch, int steps, int[] tokens, int tokensOff, float[] projected,
      float[] workspace, int wsOff) {
    int gh = g.gateWidth();
    for (int p = 0, bt = batch * steps; p < bt; p++) {
      System.arraycopy(projected, tokens[tokensOff + p] * gh, workspace, wsOff + p * gh, gh);
    }
  }

  /**
   * Backpropagation through time for the {@link #forward} call that filled {@code workspace} (same
   * geometry, batch, steps, x, weights, h0, c0).
   *
   * @param dy {@code [B, T, H]} ∂L/∂y, or null when only the final state is used
   * @param dhT {@code [B, H]} ∂L/∂hT, or null (zeros); {@code dcT} likewise for the LSTM's cT
   * @param dx {@code [B, T, F]}: written (or added to when {@code accumulateDx}); null to skip
   * @param dh0 {@code [B, H]} ∂L/∂h0, written; null to skip. {@code dc0} likewise (LSTM)
   * @param dWIh accumulated ({@code +=}); {@code dWHh} likewise
   * @param dBIh accumulated, or null; {@code dBHh} likewise
   * @param scratch {@link RecurrentGeometry#backwardScratchFloats(int, int)} floats at {@code scratchOff}
   */
  static void backward(RecurrentGeometry g, int batch, int steps, float[] x, int xOff,
      float[] wIh, int wIhOff, float[] wHh, int wHhOff, float[] h0, int h0Off, float[] c0, int c0Off,
      float[] dy, int dyOff, float[] dhT, int dhTOff, float[] dcT, int dcTOff,
      float[] dx, int dxOff, boolean accumulateDx, float[] dh0, int dh0Off, float[] dc0, int dc0Off,
      float[] dWIh, int dWIhOff, float[] dWHh, int dWHhOff, float[] dBIh, int dBIhOff, float[] dBHh, int dBHhOff,
      float[] workspace, int wsOff, float[] scratch, int scratchOff) {
    Objects.requireNonNull(g, "geometry");
    Checks.batchAndSteps(batch, steps);
    final CellKind kind = g.kind();
    final boolean lstm = kind == CellKind.LSTM;
    final boolean gru = kind == CellKind.GRU;
    final int h = g.hidden();
    final int f = g.input();
    final int gh = g.gateWidth();
    final int bt = batch * steps;
    Checks.range("x", x, xOff, (long) g.inputSize(batch, steps));
    Checks.range("weight_ih", wIh, wIhOff, g.weightIhSize());
    Checks.range("weight_hh", wHh, wHhOff, g.weightHhSize());
    Checks.optionalRange("h0", h0, h0Off, g.stateSize(batch));
    Checks.optionalRange("dy", dy, dyOff, g.outputSize(batch, steps));
    Checks.optionalRange("dhT", dhT, dhTOff, g.stateSize(batch));
    Checks.optionalRange("dx", dx, dxOff, g.inputSize(batch, steps));
    Checks.optionalRange("dh0", dh0, dh0Off, g.stateSize(batch));
    if (lstm) {
      Checks.optionalRange("c0", c0, c0Off, g.stateSize(batch));
      Checks.optionalRange("dcT", dcT, dcTOff, g.stateSize(batch));
      Checks.optionalRange("dc0", dc0, dc0Off, g.stateSize(batch));
    }
    Checks.range("dWeight_ih", dWIh, dWIhOff, g.weightIhSize());
    Checks.range("dWeight_hh", dWHh, dWHhOff, g.weightHhSize());
    Checks.optionalRange("dBias_ih", dBIh, dBIhOff, gh);
    Checks.optionalRange("dBias_hh", dBHh, dBHhOff, gh);
    Checks.range("workspace", workspace, wsOff, g.workspaceFloats(batch, steps));
    Checks.range("scratch", scratch, scratchOff, g.backwardScratchFloats(batch, steps));
    final float[] ws = workspace;
    final int acts = wsOff;
    final int hprev = acts + bt * gh;
    final int extra = hprev + bt * h;
    final float[] sc = scratch;
    final int dA = scratchOff; // [B, T, G·H]: gate pre-activation gradients (GRU: of the recurrent products)
    final int dh = dA + bt * gh; // [B, H]: ∂L/∂h_t flowing back from step t+1
    final int dc = dh + batch * h; // LSTM [B, H]: ∂L/∂c_t
    final int dN = dh + batch * h; // GRU [B, T, H]: the n gate's input-side gradient

    final int packed = scratchOff + g.backwardScratchFloats(batch, steps) - g.packedRecurrentWeightsBackward();
    final boolean usePacked = CELLS.packsSteps();
    if (usePacked && (steps > 1 || dh0 != null)) {
      CELLS.pack(false, wHh, wHhOff, gh, h, sc, packed);
    }
    initState(sc, dh, dhT, dhTOff, batch * h);
    if (lstm) {
      initState(sc, dc, dcT, dcTOff, batch * h);
    }
    BackwardSteps loop = BackwardSteps.CALLS.take();
    // step t's rows of dGates [B, T, G·H]; needed only without packed step products (scalar kernels)
    loop.layer(g, batch, steps, ws, wsOff, usePacked ? packed : -1, wHh, wHhOff,
        usePacked ? null : new LeadingDimensions(steps * gh, 0, 0), c0, c0Off);
    loop.sc = sc;
    loop.dA = dA;
    loop.dh = dh;
    loop.dc = dc;
    loop.dN = dN;
    loop.dy = dy;
    loop.dyOff = dyOff;
    loop.wantDh0 = dh0 != null;
    // 1, 2. per step from the last, for each chunk of batch rows on its own thread: the gate
    // gradients, then dh_{t−1} (+)= dGates_t · W_hh
    loop.run();
    BackwardSteps.CALLS.give(loop);
    if (dh0 != null) {
      System.arraycopy(sc, dh, dh0, dh0Off, batch * h);
    }
    if (lstm && dc0 != null) {
      System.arraycopy(sc, dc, dc0, dc0Off, batch * h);
    }

    // 3. weights and biases over all steps at once
    // dW_hh += dRecᵀ · H_prev   (TN over the B·T rows)
    GEMM.gemm(Layout.TN, gh, h, bt, sc, dA, ws, hprev, dWHh, dWHhOff, Epilogue.ACCUMULATE);
    if (dBHh != null) {
      ELEMENTWISE.addColumnSums(dBHh, dBHhOff, sc, dA, bt, gh);
    }
    if (gru) {
      // dW_hh and b_hh are done with dRec's n columns: the input side's n-gate gradient dN takes
      // their place, so dW_ih, b_ih and dX are one packed product each, as for the other cells
      swapNColumns(sc, dA, dN, bt, h);
    }
    GEMM.gemm(Layout.TN, gh, f, bt, sc, dA, x, xOff, dWIh, dWIhOff, Epilogue.ACCUMULATE);
    if (dBIh != null) {
      ELEMENTWISE.addColumnSums(dBIh, dBIhOff, sc, dA, bt, gh);
    }
    if (dx != null) {
      GEMM.gemm(Layout.NN, bt, f, gh, sc, dA, wIh, wIhOff, dx, dxOff, accumulateDx ? Epilogue.ACCUMULATE : Epilogue.NONE);
    }
    if (gru) {
      swapNColumns(sc, dA, dN, bt, h); // the gate gradients are left as StepGradients reads them
    }
  }

  /** Swaps the n-gate columns of the GRU's {@code [rows, 3H]} gate gradients at {@code gates} with {@code [rows, H]} at {@code n}. */
  private static void swapNColumns(float[] sc, int gates, int n, int rows, int h) {
    for (int r = 0; r < rows; r++) {
      int g = gates + r * 3 * h + 2 * h;
      int x = n + r * h;
      for (int j = 0; j < h; j++) {
        float v = sc[g + j];
        sc[g + j] = sc[x + j];
        sc[x + j] = v;
      }
    }
  }

  private static void initState(float[] dst, int dstOff, float[] src, int srcOff, int n) {
    if (src == null) {
      Arrays.fill(dst, dstOff, dstOff + n, 0f);
    } else {
      System.arraycopy(src, srcOff, dst, dstOff, n);
    }
  }

  /**
   * Bias epilogues for the caller's bias arrays, built once per (array, offset) and reused, so a
   * call allocates nothing. A few slots, replaced round-robin; entries are immutable, so a race
   * costs at most a rebuilt epilogue.
   */
  static final class EpilogueCache {
    private static final int SLOTS = 8;
    private final boolean accumulate;
    private final Entry[] entries = new Entry[SLOTS];
    private int next;

    EpilogueCache(boolean accumulate) {
      this.accumulate = accumulate;
    }

    Epilogue get(float[] bias, int off) {
      for (Entry e : entries) {
        if (e != null && e.bias == bias && e.off == off) {
          return e.epilogue;
        }
      }
      Epilogue ep = Epilogue.of(accumulate, Epilogue.Bias.PER_COLUMN, bias, off, Activation.NONE);
      int slot = next;
      entries[slot] = new Entry(bias, off, ep);
      next = (slot + 1) % SLOTS;
      return ep;
    }

    private record Entry(float[] bias, int off, Epilogue epilogue) {}
  }
}
