package io.kiln.runtime.panama;

import io.kiln.runtime.CallContexts;
import io.kiln.runtime.Parallelism;
import io.kiln.runtime.simd.RecurrentCells;
import io.kiln.runtime.simd.ScalarRecurrentCells;
import io.kiln.runtime.simd.FastMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import java.util.function.IntConsumer;

/**
 * Vector API {@link RecurrentCells}: the fused gate-activation and cell-update passes of
 * {@link io.kiln.runtime.rnn.Recurrent}: gate activations through {@link PanamaMath}'s deterministic
 * array kernels (bitwise the scalar twin's {@code FastMath}), the cell arithmetic with vectors in
 * locals and scalar tails. One small method per cell so each stays within C2's inlining budget.
 * Loaded by name from {@link RecurrentCells#chosen()}.
 */
final class PanamaRecurrentCells implements RecurrentCells {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  private final ScalarRecurrentCells scalar = new ScalarRecurrentCells();

  PanamaRecurrentCells() {}

  // ---------------------------------------------------------------------------------------------
  // The per-step product with pre-packed weights. The general GEMM repacks its B operand on every
  // call: for a step of the charlstm LSTM (32 × 1024 × 256) that repacking of W_hh plus its extra
  // parallel pass cost about as much as the multiply-adds. Here W_hh is packed once per sequence
  // into PanamaGemm's panel layout and every step reuses it with PanamaGemm's micro-kernel.

  /** Column panels per task at most: a fixed split (never the thread count). */
  private static final int MAX_TASKS = 8;

  /** One context (packed A, ragged tiles) per concurrent step product; reused, so a step allocates nothing. */
  private static final CallContexts<StepCall> CALLS = new CallContexts<>(4, StepCall::new);

  /** Column panels one pass of {@link #rowTimesPanels} multiplies. */
  private static final int ROW_PANELS = 4;

  /** The tiles of {@link #row} for one-row products (a sequence's steps). */
  private static final CallContexts<float[]> ROW_TILES =
      new CallContexts<>(4, () -> new float[ROW_PANELS * PanamaGemm.NR]);

  /**
   * {@code tile[p·NR, (p+1)·NR) = x[0, k) · panel p} for {@code count} ≤ 4 consecutive packed panels
   * starting at {@code bi}: row 0 of {@link PanamaGemm#kernelStore}'s operations, so each element is
   * the micro-kernel's fma chain over k.
   */
  static void rowTimesPanels(float[] x, int xOff, float[] bp, int bi, int k, int count, float[] tile) {
    int nr = PanamaGemm.NR;
    int l = PanamaGemm.L;
    int panel = nr * k;
    if (count == ROW_PANELS) {
      FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
          c31 = c00;
      for (int p = 0; p < k; p++) {
        FloatVector v = FloatVector.broadcast(S, x[xOff + p]);
        int bo = bi + p * nr;
        c00 = v.fma(FloatVector.fromArray(S, bp, bo), c00);
        c01 = v.fma(FloatVector.fromArray(S, bp, bo + l), c01);
        c10 = v.fma(FloatVector.fromArray(S, bp, bo + panel), c10);
        c11 = v.fma(FloatVector.fromArray(S, bp, bo + panel + l), c11);
        c20 = v.fma(FloatVector.fromArray(S, bp, bo + 2 * panel), c20);
        c21 = v.fma(FloatVector.fromArray(S, bp, bo + 2 * panel + l), c21);
        c30 = v.fma(FloatVector.fromArray(S, bp, bo + 3 * panel), c30);
        c31 = v.fma(FloatVector.fromArray(S, bp, bo + 3 * panel + l), c31);
      }
      c00.intoArray(tile, 0);
      c01.intoArray(tile, l);
      c10.intoArray(tile, nr);
      c11.intoArray(tile, nr + l);
      c20.intoArray(tile, 2 * nr);
      c21.intoArray(tile, 2 * nr + l);
      c30.intoArray(tile, 3 * nr);
      c31.intoArray(tile, 3 * nr + l);
      return;
    }
    for (int q = 0; q < count; q++) {
      FloatVector c0 = FloatVector.zero(S);
      FloatVector c1 = c0;
      int b = bi + q * panel;
      for (int p = 0; p < k; p++) {
        FloatVector v = FloatVector.broadcast(S, x[xOff + p]);
        c0 = v.fma(FloatVector.fromArray(S, bp, b + p * nr), c0);
        c1 = v.fma(FloatVector.fromArray(S, bp, b + p * nr + l), c1);
      }
      c0.intoArray(tile, q * nr);
      c1.intoArray(tile, q * nr + l);
    }
  }

  /**
   * Columns {@code [j0, j1)} of one row: {@code c[cOff + j] = (c if accumulate) + x · B[·, j] + bias[j]},
   * the whole panels that cover them four at a time (eight independent FMA chains, none of the
   * micro-kernel's seven padding rows), stored through {@code tile} ({@value #ROW_PANELS} panels).
   * Each element is computed and stored as the micro-kernel path of {@link #multiplyPacked} does
   * (the same fma chain, then {@code + c}, then {@code + bias}), so a sequence gets the bits it
   * gets in a batch, whichever columns a call covers.
   */
  private static void row(int k, float[] x, int xOff, float[] packed, int pOff, int j0, int j1, float[] c, int cOff,
      boolean accumulate, float[] bias, int biasOff, float[] tile) {
    int nr = PanamaGemm.NR;
    int l = S.length();
    for (int q = j0 / nr, q1 = (j1 + nr - 1) / nr; q < q1; q += ROW_PANELS) {
      int count = Math.min(ROW_PANELS, q1 - q);
      rowTimesPanels(x, xOff, packed, pOff + q * nr * k, k, count, tile);
      int base = q * nr;
      int lo = Math.max(j0, base);
      int hi = Math.min(j1, base + count * nr);
      int j = lo;
      for (; j + l <= hi; j += l) {
        FloatVector v = FloatVector.fromArray(S, tile, j - base);
        if (accumulate) {
          v = FloatVector.fromArray(S, c, cOff + j).add(v);
        }
        if (bias != null) {
          v = v.add(FloatVector.fromArray(S, bias, biasOff + j));
        }
        v.intoArray(c, cOff + j);
      }
      for (; j < hi; j++) {
        float v = accumulate ? c[cOff + j] + tile[j - base] : tile[j - base];
        c[cOff + j] = bias == null ? v : v + bias[biasOff + j];
      }
    }
  }

  @Override
  public boolean packsSteps() {
    return PanamaGemm.NR <= PACK_COLUMNS && PanamaGemm.MR == 8;
  }

  @Override
  public int panelColumns() {
    return PanamaGemm.NR;
  }

  @Override
  public void packPanels(boolean transposed, float[] w, int wOff, int k, int n, float[] packed, int pOff, int q0,
      int q1) {
    int nr = PanamaGemm.NR;
    for (int q = q0; q < q1; q++) {
      int j = q * nr;
      int cols = Math.min(nr, n - j);
      if (transposed) {
        PanamaGemmPacking.packBTransposed(w, wOff + j * k, k, k, cols, packed, pOff + q * nr * k);
      } else {
        PanamaGemmPacking.packB(w, wOff + j, n, k, cols, packed, pOff + q * nr * k);
      }
    }
  }

  @Override
  public void multiplyRow(int k, float[] buf, int xOff, int pOff, int cOff, int j0, int j1, int blocks,
      int blockStride, boolean accumulate, float[] bias, int biasOff) {
    float[] tile = ROW_TILES.take();
    try {
      for (int i = 0, shift = 0; i < blocks; i++, shift += blockStride) {
        row(k, buf, xOff, buf, pOff, j0 + shift, j1 + shift, buf, cOff, accumulate, bias, biasOff, tile);
      }
    } finally {
      ROW_TILES.give(tile);
    }
  }

  @Override
  public void multiplyPacked(int m, int n, int k, float[] buf, int aOff, int lda, int pOff, int cOff, int ldc,
      boolean accumulate, float[] bias, int biasOff) {
    float[] a = buf;
    float[] packed = buf;
    float[] c = buf;
    if (m == 0 || n == 0) {
      return;
    }
    if (m == 1) {
      // one sequence on one thread: a step is a few microseconds, less than waking a worker costs
      // (Recurrent splits a long sequence's units across threads itself: UnitChunks)
      multiplyRow(k, buf, aOff, pOff, cOff, 0, n, 1, 0, accumulate, bias, biasOff);
      return;
    }
    StepCall call = CALLS.take();
    call.set(m, n, k, a, aOff, lda, packed, pOff, c, cOff, ldc, accumulate, bias, biasOff);
    try {
      Parallelism.forEach(call.tasks, call);
    } finally {
      call.clear();
      CALLS.give(call);
    }
  }

  /** One call's arguments and its packed A; taken from {@link #CALLS} for the call. */
  private static final class StepCall implements IntConsumer {
    int m;
    int n;
    int k;
    float[] c;
    int cOff;
    int ldc;
    boolean accumulate;
    float[] bias;
    int biasOff;
    float[] packed;
    int pOff;
    int panels;
    int tasks;
    float[] ap = new float[0];
    /** One ragged tile per task (tasks run concurrently). */
    final float[][] tiles = new float[MAX_TASKS][PanamaGemm.MR * PanamaGemm.NR];

    void set(int m, int n, int k, float[] a, int aOff, int lda, float[] packed, int pOff, float[] c, int cOff,
        int ldc, boolean accumulate, float[] bias, int biasOff) {
      this.m = m;
      this.n = n;
      this.k = k;
      this.packed = packed;
      this.pOff = pOff;
      this.c = c;
      this.cOff = cOff;
      this.ldc = ldc;
      this.accumulate = accumulate;
      this.bias = bias;
      this.biasOff = biasOff;
      int mr = PanamaGemm.MR;
      int need = (m + mr - 1) / mr * mr * k;
      if (ap.length < need) {
        ap = new float[need];
      }
      // A (the batch's states, a few KB) packed once per step on the calling thread
      PanamaGemmPacking.packA(a, aOff, lda, m, k, ap);
      panels = (n + PanamaGemm.NR - 1) / PanamaGemm.NR;
      tasks = Math.min(panels, MAX_TASKS);
    }

    void clear() {
      c = null;
      bias = null;
      packed = null;
    }

    @Override
    public void accept(int task) {
      int nr = PanamaGemm.NR;
      int mr = PanamaGemm.MR;
      int q0 = (int) ((long) task * panels / tasks);
      int q1 = (int) ((long) (task + 1) * panels / tasks);
      float[] tile = tiles[task];
      for (int q = q0; q < q1; q++) {
        int j = q * nr;
        int cols = Math.min(nr, n - j);
        int bi = pOff + q * nr * k;
        for (int i = 0; i < m; i += mr) {
          int rows = Math.min(mr, m - i);
          int ci = cOff + i * ldc + j;
          if (rows == mr && cols == nr) {
            if (bias == null) {
              PanamaGemm.kernel(ap, i * k, packed, bi, k, c, ci, ldc, accumulate);
            } else {
              // b_hh added in the micro-kernel's store, as a dense layer's bias (same bits as after it)
              PanamaGemm.kernelColumnBias(ap, i * k, packed, bi, k, c, ci, ldc, accumulate, bias, biasOff + j, false);
            }
            continue;
          }
          PanamaGemm.kernel(ap, i * k, packed, bi, k, tile, 0, nr, false);
          for (int r = 0; r < rows; r++) {
            int o = ci + r * ldc;
            for (int jj = 0; jj < cols; jj++) {
              c[o + jj] = accumulate ? c[o + jj] + tile[r * nr + jj] : tile[r * nr + jj];
            }
          }
          if (bias != null) {
            for (int r = 0; r < rows; r++) {
              int o = ci + r * ldc;
              int b = biasOff + j;
              for (int jj = 0; jj < cols; jj++) {
                c[o + jj] += bias[b + jj];
              }
            }
          }
        }
      }
    }
  }

  // Gate activations run as PanamaMath's array kernels, in place, before each fused loop: lanewise
  // EXP/TANH give other bits before and after C2 compiles them (so a seed would not fix the run),
  // and PanamaMath's vector-to-vector methods box when C2 does not inline them into a big loop.

  @Override
  public void elmanForward(boolean relu, float[] a, int aOff, int n) {
    if (relu) {
      scalar.elmanForward(true, a, aOff, n); // C2 auto-vectorizes the scalar Math.max loop
    } else {
      PanamaMath.tanh(a, aOff, n);
    }
  }

  @Override
  public void lstmForward(float[] a, int aOff, float[] cPrev, int cPrevOff, float[] c, int cOff, float[] h, int hOff,
      int n, int gateStride) {
    int s = gateStride;
    if (s == n) {
      PanamaMath.sigmoid(a, aOff, 2 * n); // i, f
    } else {
      PanamaMath.sigmoid(a, aOff, n);
      PanamaMath.sigmoid(a, aOff + s, n);
    }
    PanamaMath.tanh(a, aOff + 2 * s, n); // g
    PanamaMath.sigmoid(a, aOff + 3 * s, n); // o
    int bound = S.loopBound(n);
    for (int j = 0; j < bound; j += S.length()) {
      int p = aOff + j;
      FloatVector i = FloatVector.fromArray(S, a, p);
      FloatVector g = FloatVector.fromArray(S, a, p + 2 * s);
      FloatVector ig = i.mul(g);
      FloatVector cn = cPrev == null ? ig
          : FloatVector.fromArray(S, a, p + s).mul(FloatVector.fromArray(S, cPrev, cPrevOff + j)).add(ig);
      cn.intoArray(c, cOff + j);
      cn.intoArray(h, hOff + j); // tanh(c) is taken in place below
    }
    for (int j = bound; j < n; j++) {
      float ig = a[aOff + j] * a[aOff + 2 * s + j];
      float cn = cPrev == null ? ig : a[aOff + s + j] * cPrev[cPrevOff + j] + ig;
      c[cOff + j] = cn;
      h[hOff + j] = cn;
    }
    PanamaMath.tanh(h, hOff, n);
    for (int j = 0; j < bound; j += S.length()) {
      FloatVector.fromArray(S, a, aOff + 3 * s + j).mul(FloatVector.fromArray(S, h, hOff + j)).intoArray(h, hOff + j);
    }
    for (int j = bound; j < n; j++) {
      h[hOff + j] = a[aOff + 3 * s + j] * h[hOff + j];
    }
  }

  @Override
  public void gruForward(float[] a, int aOff, float[] rec, int recOff, float[] hPrev, int hPrevOff, float[] hn,
      int hnOff, float[] h, int hOff, int n, int gateStride) {
    int s = gateStride;
    addGate(a, aOff, rec, recOff, n); // r and z pre-activations: input side + recurrent side
    addGate(a, aOff + s, rec, recOff + s, n);
    if (s == n) {
      PanamaMath.sigmoid(a, aOff, 2 * n); // r, z
    } else {
      PanamaMath.sigmoid(a, aOff, n);
      PanamaMath.sigmoid(a, aOff + s, n);
    }
    int bound = S.loopBound(n);
    for (int j = 0; j < bound; j += S.length()) {
      int p = aOff + 2 * s + j;
      FloatVector hnj = FloatVector.fromArray(S, rec, recOff + 2 * s + j);
      FloatVector.fromArray(S, a, p).add(FloatVector.fromArray(S, a, aOff + j).mul(hnj)).intoArray(a, p);
      hnj.intoArray(hn, hnOff + j);
    }
    for (int j = bound; j < n; j++) {
      float hnj = rec[recOff + 2 * s + j];
      a[aOff + 2 * s + j] = a[aOff + 2 * s + j] + a[aOff + j] * hnj;
      hn[hnOff + j] = hnj;
    }
    PanamaMath.tanh(a, aOff + 2 * s, n); // n
    for (int j = 0; j < bound; j += S.length()) {
      FloatVector nn = FloatVector.fromArray(S, a, aOff + 2 * s + j);
      FloatVector z = FloatVector.fromArray(S, a, aOff + s + j);
      nn.add(z.mul(FloatVector.fromArray(S, hPrev, hPrevOff + j).sub(nn))).intoArray(h, hOff + j);
    }
    for (int j = bound; j < n; j++) {
      float nn = a[aOff + 2 * s + j];
      h[hOff + j] = nn + a[aOff + s + j] * (hPrev[hPrevOff + j] - nn);
    }
  }

  /** {@code a[aOff, aOff + n) += rec[recOff, recOff + n)}. */
  private static void addGate(float[] a, int aOff, float[] rec, int recOff, int n) {
    int bound = S.loopBound(n);
    for (int j = 0; j < bound; j += S.length()) {
      FloatVector.fromArray(S, a, aOff + j).add(FloatVector.fromArray(S, rec, recOff + j)).intoArray(a, aOff + j);
    }
    for (int j = bound; j < n; j++) {
      a[aOff + j] = a[aOff + j] + rec[recOff + j];
    }
  }

  @Override
  public void elmanBackward(boolean relu, float[] a, int aOff, float[] dh, int dhOff, float[] dy, int dyOff,
      float[] da, int daOff, int n) {
    // Memory-bound and transcendental-free: the scalar loops auto-vectorize well enough.
    scalar.elmanBackward(relu, a, aOff, dh, dhOff, dy, dyOff, da, daOff, n);
  }

  @Override
  public void lstmBackward(float[] ws, int aOff, int cOff, float[] cPrev, int cPrevOff, float[] sc, int dhOff,
      float[] dy, int dyOff, int dcOff, int daOff, int n) {
    float[] a = ws;
    float[] c = ws;
    float[] dh = sc;
    float[] dc = sc;
    float[] da = sc;
    // tanh(c) into the o-gate slot of da, which each iteration reads before it writes it
    System.arraycopy(c, cOff, da, daOff + 3 * n, n);
    PanamaMath.tanh(da, daOff + 3 * n, n);
    int bound = S.loopBound(n);
    for (int j = 0; j < bound; j += S.length()) {
      int p = aOff + j;
      FloatVector i = FloatVector.fromArray(S, a, p);
      FloatVector f = FloatVector.fromArray(S, a, p + n);
      FloatVector g = FloatVector.fromArray(S, a, p + 2 * n);
      FloatVector o = FloatVector.fromArray(S, a, p + 3 * n);
      FloatVector d = FloatVector.fromArray(S, dh, dhOff + j);
      if (dy != null) {
        d = d.add(FloatVector.fromArray(S, dy, dyOff + j));
      }
      FloatVector tc = FloatVector.fromArray(S, da, daOff + 3 * n + j); // tanh(c), taken below before the loop
      // the twin's order: dc + d·o·(1 − tc²)
      FloatVector dct = FloatVector.fromArray(S, dc, dcOff + j).add(d.mul(o).mul(tc.mul(tc).neg().add(1f)));
      int q = daOff + j;
      dct.mul(g).mul(i.mul(i.neg().add(1f))).intoArray(da, q);
      FloatVector cp = cPrev == null ? FloatVector.zero(S) : FloatVector.fromArray(S, cPrev, cPrevOff + j);
      dct.mul(cp).mul(f.mul(f.neg().add(1f))).intoArray(da, q + n);
      dct.mul(i).mul(g.mul(g).neg().add(1f)).intoArray(da, q + 2 * n);
      d.mul(tc).mul(o.mul(o.neg().add(1f))).intoArray(da, q + 3 * n);
      dct.mul(f).intoArray(dc, dcOff + j);
    }
    for (int j = bound; j < n; j++) {
      float i = a[aOff + j];
      float f = a[aOff + n + j];
      float g = a[aOff + 2 * n + j];
      float o = a[aOff + 3 * n + j];
      float d = dy == null ? dh[dhOff + j] : dh[dhOff + j] + dy[dyOff + j];
      float tc = da[daOff + 3 * n + j];
      float dct = dc[dcOff + j] + d * o * (1f - tc * tc);
      float cp = cPrev == null ? 0f : cPrev[cPrevOff + j];
      da[daOff + j] = dct * g * (i * (1f - i));
      da[daOff + n + j] = dct * cp * (f * (1f - f));
      da[daOff + 2 * n + j] = dct * i * (1f - g * g);
      da[daOff + 3 * n + j] = d * tc * (o * (1f - o));
      dc[dcOff + j] = dct * f;
    }
  }

  @Override
  public void gruBackward(float[] ws, int aOff, int hnOff, int hPrevOff, float[] sc, int dhOff, float[] dy, int dyOff,
      int dRecOff, int dNOff, int n) {
    // No transcendentals (the activations are stored): C2 auto-vectorizes the twin's loop.
    scalar.gruBackward(ws, aOff, hnOff, hPrevOff, sc, dhOff, dy, dyOff, dRecOff, dNOff, n);
  }
}
