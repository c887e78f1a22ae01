package io.kiln.runtime.simd;

/**
 * The fused per-step passes of {@code io.kiln.runtime.rnn.Recurrent}: gate activations plus the cell/hidden update
 * (forward) and the gate gradients (backward), for one batch row of {@code n} hidden units. Gate
 * blocks of a row lie {@code n} floats apart in PyTorch's order (LSTM i, f, g, o; GRU r, z, n);
 * forward, {@code gateStride} floats apart, so that a thread can update a range of the units
 * (its gate blocks are slices of the row's, {@code gateStride} = the layer's hidden size).
 *
 * <p>Two implementations: {@link ScalarRecurrentCells} (plain Java, the fallback) and the Vector
 * API one ({@code EXP}/{@code TANH}) in {@code io.kiln.runtime.panama}; {@link KernelProvider#recurrentCells()}
 * hands out the one {@link Vectorization} chose. Internal to the runtime: public only so that the
 * recurrent layers can call it and the panama package can implement it.
 */
public interface RecurrentCells {

  /** Elman forward: {@code a = f(a)} in place (f = ReLU when {@code relu}, else tanh); a is then h'. */
  void elmanForward(boolean relu, float[] a, int aOff, int n);

  /**
   * LSTM forward. In: {@code a} = pre-activations (i, f, g, o; gate blocks {@code gateStride} ≥ n
   * apart); out: their activations (σ, σ, tanh, σ) in place, {@code c = f⊙cPrev + i⊙g} (cPrev null
   * means zeros) and {@code h = o⊙tanh(c)}.
   */
  void lstmForward(float[] a, int aOff, float[] cPrev, int cPrevOff, float[] c, int cOff, float[] h, int hOff, int n,
      int gateStride);

  /**
   * GRU forward. In: {@code a} = input-side pre-activations {@code W_i· x + b_i·} (r, z, n) and
   * {@code rec} = {@code W_h· h_{t−1} + b_h·}, both with gate blocks {@code gateStride} ≥ n apart.
   * Out: {@code a} = (r, z, n) activations,
   * {@code hn = rec[2n..3n)} (kept for backward), {@code h = (1 − z)⊙n + z⊙hPrev}, with
   * {@code r = σ(a_r + rec_r)}, {@code z = σ(a_z + rec_z)}, {@code n = tanh(a_n + r⊙hn)}.
   */
  void gruForward(float[] a, int aOff, float[] rec, int recOff, float[] hPrev, int hPrevOff, float[] hn, int hnOff,
      float[] h, int hOff, int n, int gateStride);

  /** Elman backward: {@code da = (dh + dy)⊙f'} with f' from the output {@code a}; dy may be null. */
  void elmanBackward(boolean relu, float[] a, int aOff, float[] dh, int dhOff, float[] dy, int dyOff, float[] da,
      int daOff, int n);

  /**
   * LSTM backward for one step. In the layer's workspace {@code ws}: {@code a} = the activations
   * i, f, g, o and {@code c} = c_t; {@code cPrev} = c_{t−1} (null: zeros); in its scratch
   * {@code sc}: {@code dh} = ∂L/∂h_t from step t+1 (plus {@code dy}, nullable), {@code dc} in:
   * ∂L/∂c_t from step t+1, out: ∂L/∂c_{t−1}, and {@code da[4n]}, where the four pre-activation
   * gradients are written.
   */
  void lstmBackward(float[] ws, int aOff, int cOff, float[] cPrev, int cPrevOff, float[] sc, int dhOff, float[] dy,
      int dyOff, int dcOff, int daOff, int n);

  /**
   * GRU backward for one step. In the layer's workspace {@code ws}: {@code a} = activations r, z, n,
   * {@code hn} = W_hn h_{t−1} + b_hn and h_{t−1}; in its scratch {@code sc}: {@code dh} in: ∂L/∂h_t
   * from step t+1 (plus {@code dy}, nullable), out: the direct part of ∂L/∂h_{t−1}, {@code dh⊙z};
   * {@code dRec[3n]}, where (dr̂, dẑ, dn̂⊙r), the gradient of the recurrent products, is written;
   * and {@code dN[n]}, where dn̂, the n gate's input-side pre-activation gradient, is written (hats:
   * pre-activations).
   */
  void gruBackward(float[] ws, int aOff, int hnOff, int hPrevOff, float[] sc, int dhOff, float[] dy, int dyOff,
      int dRecOff, int dNOff, int n);

  /**
   * Column padding of a packed step operand: {@link #packedFloats} is {@code roundUp(n, 64)·k},
   * enough for micro-kernel panels of up to 64 columns.
   */
  int PACK_COLUMNS = 64;

  /** Floats of a packed {@code k × n} step operand (see {@link #PACK_COLUMNS}). */
  static int packedFloats(int k, int n) {
    return (n + PACK_COLUMNS - 1) / PACK_COLUMNS * PACK_COLUMNS * k;
  }

  /**
   * True when this implementation multiplies by pre-packed weights ({@link #pack},
   * {@link #multiplyPacked}); otherwise {@code Recurrent} calls the general GEMM every step.
   */
  default boolean packsSteps() {
    return false;
  }

  /**
   * Packs {@code B[k × n]} for {@link #multiplyPacked}, once per call: B is {@code w} read as stored
   * ({@code B[p][j] = w[wOff + p·n + j]}) or, when {@code transposed}, {@code w} is {@code [n × k]}
   * ({@code B[p][j] = w[wOff + j·k + p]}). Writes {@link #packedFloats(int, int)} floats.
   */
  default void pack(boolean transposed, float[] w, int wOff, int k, int n, float[] packed, int pOff) {
    packPanels(transposed, w, wOff, k, n, packed, pOff, 0, (n + panelColumns() - 1) / panelColumns());
  }

  /** The columns of one panel of a packed operand ({@link #packPanels} packs whole panels). */
  default int panelColumns() {
    throw new UnsupportedOperationException();
  }

  /**
   * {@link #pack}'s work for panels {@code [q0, q1)} only (panel q holds columns
   * {@code [q·panelColumns(), (q+1)·panelColumns())}), so that threads can share the packing.
   */
  default void packPanels(boolean transposed, float[] w, int wOff, int k, int n, float[] packed, int pOff, int q0,
      int q1) {
    throw new UnsupportedOperationException();
  }

  /**
   * {@code C[m × n] = (C if accumulate) + A[m × k] · B + bias} with B packed by {@link #pack}, A, the
   * packed B and C all in {@code buf} (the layer's workspace forward, its scratch backward), A and C
   * row-major with leading dimensions; {@code bias} (length n, per column) may be null. Parallel over
   * column panels (inline when called from a task of {@code Parallelism.forEach}, as the recurrent
   * layers' row chunks do); each element is one fma chain over k whatever the split and m, so
   * results depend neither on the thread count nor on which rows share a call.
   */
  default void multiplyPacked(int m, int n, int k, float[] buf, int aOff, int lda, int pOff, int cOff, int ldc,
      boolean accumulate, float[] bias, int biasOff) {
    throw new UnsupportedOperationException();
  }

  /**
   * {@link #multiplyPacked} for one row and some of its columns, on the calling thread: for each of
   * {@code blocks} column ranges {@code [j0 + i·blockStride, j1 + i·blockStride)},
   * {@code c[cOff + j] = (c if accumulate) + x[xOff, xOff + k) · B[·, j] + bias[biasOff + j]} (bias
   * nullable). A thread that owns some hidden units of a sequence computes their columns of every
   * gate in one call ({@code blockStride} = the hidden size). Each element gets the bits
   * {@code multiplyPacked} gives it.
   */
  default void multiplyRow(int k, float[] buf, int xOff, int pOff, int cOff, int j0, int j1, int blocks,
      int blockStride, boolean accumulate, float[] bias, int biasOff) {
    throw new UnsupportedOperationException();
  }
}
