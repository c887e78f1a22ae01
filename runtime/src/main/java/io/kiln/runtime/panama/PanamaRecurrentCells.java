package io.kiln.runtime.panama;

import io.kiln.runtime.Parallelism;
import io.kiln.runtime.rnn.RecurrentCells;
import io.kiln.runtime.rnn.ScalarRecurrentCells;
import io.kiln.runtime.simd.FastMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import java.util.function.IntConsumer;

/**
 * Vector API {@link RecurrentCells}: the fused gate-activation and cell-update passes of
 * {@link io.kiln.runtime.rnn.Recurrent} with {@code EXP}/{@code TANH} lanewise (SVML on x86, about
 * one ulp from the scalar twin's double-precision math), vectors in locals, scalar tails through
 * {@link ScalarRecurrentCells}. One small method per cell so each stays within C2's inlining budget.
 * Loaded by name from {@link RecurrentCells#chosen()}.
 */
public final class PanamaRecurrentCells implements RecurrentCells {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  private final ScalarRecurrentCells scalar = new ScalarRecurrentCells();

  public PanamaRecurrentCells() {}

  // ---------------------------------------------------------------------------------------------
  // The per-step product with pre-packed weights. The general GEMM repacks its B operand on every
  // call: for a step of the charlstm LSTM (32 × 1024 × 256) that repacking of W_hh plus its extra
  // parallel pass cost about as much as the multiply-adds. Here W_hh is packed once per sequence
  // into PanamaGemm's panel layout and every step reuses it with PanamaGemm's micro-kernel.

  /** Column panels per task at most: a fixed split (never the thread count). */
  private static final int MAX_TASKS = 8;

  private static final ThreadLocal<StepCall> CALLS = ThreadLocal.withInitial(StepCall::new);

  @Override
  public boolean packsSteps() {
    return PanamaGemm.NR <= PACK_COLUMNS && PanamaGemm.MR == 8;
  }

  @Override
  public void pack(boolean transposed, float[] w, int wOff, int k, int n, float[] packed, int pOff) {
    int nr = PanamaGemm.NR;
    for (int q = 0, j = 0; j < n; q++, j += nr) {
      int cols = Math.min(nr, n - j);
      if (transposed) {
        PanamaGemmPacking.packBTransposed(w, wOff + j * k, k, k, cols, packed, pOff + q * nr * k);
      } else {
        PanamaGemmPacking.packB(w, wOff + j, n, k, cols, packed, pOff + q * nr * k);
      }
    }
  }

  @Override
  public void multiplyPacked(int m, int n, int k, float[] a, int aOff, int lda, float[] packed, int pOff,
      float[] c, int cOff, int ldc, boolean accumulate, float[] bias, int biasOff) {
    if (m == 0 || n == 0) {
      return;
    }
    StepCall call = CALLS.get();
    call.set(m, n, k, a, aOff, lda, packed, pOff, c, cOff, ldc, accumulate, bias, biasOff);
    try {
      Parallelism.forEach(call.tasks, call);
    } finally {
      call.clear();
    }
  }

  /** One call's arguments and the calling thread's packed A; reused, so a call allocates nothing. */
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
            PanamaGemm.kernel(ap, i * k, packed, bi, k, c, ci, ldc, accumulate);
          } else {
            PanamaGemm.kernel(ap, i * k, packed, bi, k, tile, 0, nr, false);
            for (int r = 0; r < rows; r++) {
              int o = ci + r * ldc;
              for (int jj = 0; jj < cols; jj++) {
                c[o + jj] = accumulate ? c[o + jj] + tile[r * nr + jj] : tile[r * nr + jj];
              }
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

  /** {@code 1 / (1 + e^−z)}: e^−z overflows to +∞ for very negative z, giving exactly 0. */
  private static FloatVector sigmoid(FloatVector z) {
    return FloatVector.broadcast(S, 1f).div(z.neg().lanewise(VectorOperators.EXP).add(1f));
  }

  private static FloatVector tanh(FloatVector z) {
    return z.lanewise(VectorOperators.TANH);
  }

  @Override
  public void elmanForward(boolean relu, float[] a, int aOff, int n) {
    int bound = S.loopBound(n);
    if (relu) {
      // C2 auto-vectorizes the scalar Math.max loop
      bound = 0;
    } else {
      for (int j = 0; j < bound; j += S.length()) {
        tanh(FloatVector.fromArray(S, a, aOff + j)).intoArray(a, aOff + j);
      }
    }
    if (bound < n) {
      scalar.elmanForward(relu, a, aOff + bound, n - bound);
    }
  }

  @Override
  public void lstmForward(float[] a, int aOff, float[] cPrev, int cPrevOff, float[] c, int cOff, float[] h, int hOff,
      int n) {
    int bound = S.loopBound(n);
    for (int j = 0; j < bound; j += S.length()) {
      int p = aOff + j;
      FloatVector i = sigmoid(FloatVector.fromArray(S, a, p));
      FloatVector f = sigmoid(FloatVector.fromArray(S, a, p + n));
      FloatVector g = tanh(FloatVector.fromArray(S, a, p + 2 * n));
      FloatVector o = sigmoid(FloatVector.fromArray(S, a, p + 3 * n));
      i.intoArray(a, p);
      f.intoArray(a, p + n);
      g.intoArray(a, p + 2 * n);
      o.intoArray(a, p + 3 * n);
      FloatVector ig = i.mul(g);
      FloatVector cn = cPrev == null ? ig : f.mul(FloatVector.fromArray(S, cPrev, cPrevOff + j)).add(ig);
      cn.intoArray(c, cOff + j);
      o.mul(tanh(cn)).intoArray(h, hOff + j);
    }
    if (bound < n) {
      lstmForwardTail(a, aOff, cPrev, cPrevOff, c, cOff, h, hOff, n, bound);
    }
  }

  /** The scalar tail: units [from, n) of the row (gate blocks n apart, so not a twin call). */
  private void lstmForwardTail(float[] a, int aOff, float[] cPrev, int cPrevOff, float[] c, int cOff, float[] h,
      int hOff, int n, int from) {
    for (int j = from; j < n; j++) {
      float i = sigmoidScalar(a[aOff + j]);
      float f = sigmoidScalar(a[aOff + n + j]);
      float g = FastMath.tanh(a[aOff + 2 * n + j]);
      float o = sigmoidScalar(a[aOff + 3 * n + j]);
      a[aOff + j] = i;
      a[aOff + n + j] = f;
      a[aOff + 2 * n + j] = g;
      a[aOff + 3 * n + j] = o;
      float ig = i * g;
      float cn = cPrev == null ? ig : f * cPrev[cPrevOff + j] + ig;
      c[cOff + j] = cn;
      h[hOff + j] = o * FastMath.tanh(cn);
    }
  }

  private static float sigmoidScalar(float z) {
    return FastMath.sigmoid(z); // deterministic in every JVM mode, unlike Math.exp
  }

  @Override
  public void gruForward(float[] a, int aOff, float[] rec, int recOff, float[] hPrev, int hPrevOff, float[] hn,
      int hnOff, float[] h, int hOff, int n) {
    int bound = S.loopBound(n);
    for (int j = 0; j < bound; j += S.length()) {
      int p = aOff + j;
      int q = recOff + j;
      FloatVector r = sigmoid(FloatVector.fromArray(S, a, p).add(FloatVector.fromArray(S, rec, q)));
      FloatVector z = sigmoid(FloatVector.fromArray(S, a, p + n).add(FloatVector.fromArray(S, rec, q + n)));
      FloatVector hnj = FloatVector.fromArray(S, rec, q + 2 * n);
      FloatVector nn = tanh(FloatVector.fromArray(S, a, p + 2 * n).add(r.mul(hnj)));
      r.intoArray(a, p);
      z.intoArray(a, p + n);
      nn.intoArray(a, p + 2 * n);
      hnj.intoArray(hn, hnOff + j);
      FloatVector hp = FloatVector.fromArray(S, hPrev, hPrevOff + j);
      nn.add(z.mul(hp.sub(nn))).intoArray(h, hOff + j);
    }
    for (int j = bound; j < n; j++) {
      float r = sigmoidScalar(a[aOff + j] + rec[recOff + j]);
      float z = sigmoidScalar(a[aOff + n + j] + rec[recOff + n + j]);
      float hnj = rec[recOff + 2 * n + j];
      float nn = FastMath.tanh(a[aOff + 2 * n + j] + r * hnj);
      a[aOff + j] = r;
      a[aOff + n + j] = z;
      a[aOff + 2 * n + j] = nn;
      hn[hnOff + j] = hnj;
      h[hOff + j] = nn + z * (hPrev[hPrevOff + j] - nn);
    }
  }

  @Override
  public void elmanBackward(boolean relu, float[] a, int aOff, float[] dh, int dhOff, float[] dy, int dyOff,
      float[] da, int daOff, int n) {
    // Memory-bound and transcendental-free: the scalar loops auto-vectorize well enough.
    scalar.elmanBackward(relu, a, aOff, dh, dhOff, dy, dyOff, da, daOff, n);
  }

  @Override
  public void lstmBackward(float[] a, int aOff, float[] c, int cOff, float[] cPrev, int cPrevOff, float[] dh,
      int dhOff, float[] dy, int dyOff, float[] dc, int dcOff, float[] da, int daOff, int n) {
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
      FloatVector tc = tanh(FloatVector.fromArray(S, c, cOff + j));
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
      float tc = FastMath.tanh(c[cOff + j]);
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
  public void gruBackward(float[] a, int aOff, float[] hn, int hnOff, float[] hPrev, int hPrevOff, float[] dh,
      int dhOff, float[] dy, int dyOff, float[] dRec, int dRecOff, float[] dN, int dNOff, int n) {
    // No transcendentals (the activations are stored): C2 auto-vectorizes the twin's loop.
    scalar.gruBackward(a, aOff, hn, hnOff, hPrev, hPrevOff, dh, dhOff, dy, dyOff, dRec, dRecOff, dN, dNOff, n);
  }
}
