package io.kiln.runtime.attention;

import io.kiln.runtime.At;
import io.kiln.runtime.Checks;
import io.kiln.runtime.Parallelism;
import io.kiln.runtime.simd.AttentionPrimitives;
import io.kiln.runtime.simd.FastMath;
import io.kiln.runtime.simd.Vectorization;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * The core of multi-head (self or cross) attention, after the Q, K, V projections (ordinary GEMMs
 * done by the caller): per batch element and head, {@code o = softmax(q·kᵀ/√d + mask)·v}.
 *
 * <p>Layouts, batch-first row-major, heads interleaved in the last axis exactly as PyTorch's
 * {@code nn.MultiheadAttention} after {@code in_proj} (head {@code h} owns columns
 * {@code [h·d, (h+1)·d)}): {@code q [B, Tq, H·d]}, {@code k, v [B, Tk, H·d]},
 * {@code o [B, Tq, H·d]}. The per-row log-sum-exp saved for backward is {@code lse [B, H, Tq]}
 * (natural log, of the scaled, masked scores). Tq and Tk may change from call to call.
 *
 * <p>Causal mask ({@code causal = true}, needs {@code Tq == Tk}): query {@code i} sees keys
 * {@code j ≤ i} (PyTorch's {@code is_causal=True}); masked keys are skipped, not added as −∞.
 *
 * <p>Forward is flash-style: per (batch, head, block of {@value #BLOCK_Q} queries) it streams over
 * blocks of {@value #BLOCK_K} keys with a running max and running sum (online softmax), so no
 * {@code [Tq, Tk]} matrix exists anywhere, only two {@value #BLOCK_K}-score rows and a
 * {@code BLOCK_Q × d} accumulator per task. Backward (FlashAttention-2 style) recomputes the
 * scores blockwise from q, k and the saved log-sum-exp, uses {@code D_i = Σ do_i ⊙ o_i}, keeps one
 * key block's dK, dV in scratch while it sweeps the queries, and accumulates dq in place. It sweeps
 * the queries {@value #BLOCK_Q} at a time, keeping their P and dS transposed, so that each key's
 * {@code dV += Pᵀ·dO} and {@code dK += dSᵀ·Q} run with the accumulator in registers, two keys at a
 * time (the fma chain of one axpy per query, query by query). Both passes take the queries two at
 * a time, sharing the loads of the key and value block; every element keeps a lone row's
 * operations in their order.
 *
 * <p>Work split: forward over (batch·head·query block) units, backward over (batch·head) units,
 * each unit computed by one task with a fixed operation order, so results are bitwise identical
 * whatever {@link Parallelism#threads()}; at most {@value #MAX_TASKS} tasks, each with its own
 * slot of the caller's scratch. Exponentials and logs are {@link FastMath}'s (same bits in every
 * JVM mode). The inner loops ({@link AttentionPrimitives}: query rows, two at a time, times a
 * transposed key block, P·V with the accumulators in registers) are the Vector API ones when available, chains of
 * fma in a fixed order (same bits interpreted or compiled). Nothing is allocated per call. The
 * oracle is {@code AttentionReference} (in the tests).
 *
 * <p>A layer object is built once with the head geometry and where its tensors, scratch and
 * gradients live; a step then calls {@code attn.forward(batch, tq, tk)} and {@code
 * attn.backward(batch, tq, tk)}. It is not for concurrent use by two threads.
 */
public final class MultiHeadAttention {
  /** Queries per forward unit. */
  public static final int BLOCK_Q = 64;
  /** Keys per streamed block. */
  public static final int BLOCK_K = 64;
  /** Upper bound on the tasks (and scratch slots) of one call: a fixed split, never the thread count. */
  static final int MAX_TASKS = 64;
  /** Causal rows compute scores in multiples of this many keys (a multiple of every vector width). */
  static final int PAD = 16;

  private static final AttentionPrimitives P = Vectorization.provider().attention();

  private final int heads;
  private final int headDim;
  private final boolean causal;
  private final At q;
  private final At k;
  private final At v;
  private final At o;
  private final At lse;
  private final At scratch;
  private final At dO;
  private final At dq;
  private final At dk;
  private final At dv;
  private final boolean accumulate;
  private final Call call = new Call();

  private MultiHeadAttention(Builder b) {
    this.heads = b.heads;
    this.headDim = b.headDim;
    this.causal = b.causal;
    this.q = Objects.requireNonNull(b.q, "tensors");
    this.k = Objects.requireNonNull(b.k, "tensors");
    this.v = Objects.requireNonNull(b.v, "tensors");
    this.o = Objects.requireNonNull(b.o, "tensors");
    this.lse = Objects.requireNonNull(b.lse, "tensors");
    this.scratch = Objects.requireNonNull(b.scratch, "scratch");
    this.dO = b.dO;
    this.dq = b.dq;
    this.dk = b.dk;
    this.dv = b.dv;
    this.accumulate = b.accumulate;
  }

  /** A builder for attention with {@code heads} heads of {@code headDim} columns each. */
  public static Builder of(int heads, int headDim, boolean causal) {
    return new Builder(heads, headDim, causal);
  }

  /** {@code o = softmax(q·kᵀ/√d [+ causal mask])·v} for {@code batch} elements of {@code tq} queries and {@code tk} keys. */
  public void forward(int batch, int tq, int tk) {
    forward(batch, tq, tk, heads, headDim, causal, q.array(), q.offset(), k.array(), k.offset(), v.array(), v.offset(),
        o.array(), o.offset(), lse.array(), lse.offset(), scratch.array(), scratch.offset(), call);
  }

  /** Gradients of the last {@link #forward} (same sizes) into dq, dk, dv. */
  public void backward(int batch, int tq, int tk) {
    if (!dO.present()) {
      throw new IllegalStateException("an attention built without gradients cannot run backward");
    }
    backward(batch, tq, tk, heads, headDim, causal, q.array(), q.offset(), k.array(), k.offset(), v.array(), v.offset(),
        o.array(), o.offset(), dO.array(), dO.offset(), lse.array(), lse.offset(), dq.array(), dq.offset(), dk.array(),
        dk.offset(), dv.array(), dv.offset(), accumulate, scratch.array(), scratch.offset(), call);
  }

  /** Collects where an attention's tensors live; the gradients default to {@link At#NONE}. */
  public static final class Builder {
    private final int heads;
    private final int headDim;
    private final boolean causal;
    private At q;
    private At k;
    private At v;
    private At o;
    private At lse;
    private At scratch;
    private At dO = At.NONE;
    private At dq = At.NONE;
    private At dk = At.NONE;
    private At dv = At.NONE;
    private boolean accumulate;

    private Builder(int heads, int headDim, boolean causal) {
      this.heads = heads;
      this.headDim = headDim;
      this.causal = causal;
    }

    /** {@code q [B, Tq, H·d]}, {@code k, v [B, Tk, H·d]}, the output {@code o [B, Tq, H·d]} and {@code lse [B, H, Tq]}. */
    public Builder tensors(At q, At k, At v, At o, At lse) {
      this.q = q;
      this.k = k;
      this.v = v;
      this.o = o;
      this.lse = lse;
      return this;
    }

    /** {@link #scratchFloats} floats of per-task working memory. */
    public Builder scratch(At scratch) {
      this.scratch = scratch;
      return this;
    }

    /** ∂L/∂o read by backward, and dq, dk, dv written or (with {@code accumulate}) added to; {@link At#NONE} skips one. */
    public Builder gradients(At dO, At dq, At dk, At dv, boolean accumulate) {
      this.dO = dO;
      this.dq = dq;
      this.dk = dk;
      this.dv = dv;
      this.accumulate = accumulate;
      return this;
    }

    public MultiHeadAttention build() {
      return new MultiHeadAttention(this);
    }
  }

  /** The softmax scale {@code 1/√d} as the kernels (and the reference) use it. */
  public static float scale(int headDim) {
    return (float) (1.0 / Math.sqrt(headDim));
  }

  /**
   * Floats of scratch {@link #forward} and {@link #backward} need for calls with at most
   * {@code maxTq} queries (any Tk): {@code min(B·H·⌈Tq/64⌉, 64)} slots of
   * {@code 4·64·d + 256 + 2·64·64} floats. Does not depend on Tk; grows with Tq only up to the slot cap.
   */
  public static int scratchFloats(int batch, int maxTq, int heads, int headDim) {
    Checks.positive("batch", batch);
    Checks.positive("maxTq", maxTq);
    Checks.positive("heads", heads);
    Checks.positive("headDim", headDim);
    return slots(batch, maxTq, heads) * slotFloats(headDim);
  }

  /** Floats of the saved log-sum-exp: {@code B·H·Tq}. */
  public static int lseFloats(int batch, int tq, int heads) {
    return batch * heads * tq;
  }

  static int slots(int batch, int tq, int heads) {
    long units = (long) batch * heads * ((tq + BLOCK_Q - 1) / BLOCK_Q);
    return (int) Math.min(units, MAX_TASKS);
  }

  static int slotFloats(int d) {
    int fwd = d * BLOCK_K + 2 * BLOCK_K + BLOCK_Q * d + 2 * BLOCK_Q;
    int bwd = 4 * d * BLOCK_K + 4 * BLOCK_K + 2 * BLOCK_K * BLOCK_Q;
    return Math.max(fwd, bwd);
  }

  /**
   * {@code o = softmax(q·kᵀ/√d [+ causal mask])·v} per batch element and head; writes
   * {@code o [B, Tq, H·d]} and {@code lse [B, H, Tq]} (keep it, with q, k, v, o, for
   * {@link #backward}).
   *
   * @param causal query i sees keys ≤ i; needs {@code tq == tk}
   * @param scratch {@link #scratchFloats}{@code (batch, ≥ tq, heads, headDim)} floats at {@code scratchOff}
   * @throws IllegalArgumentException for a non-positive size, or causal with {@code tq != tk}
   */
  static void forward(int batch, int tq, int tk, int heads, int headDim, boolean causal,
      float[] q, int qOff, float[] k, int kOff, float[] v, int vOff, float[] o, int oOff,
      float[] lse, int lseOff, float[] scratch, int scratchOff) {
    forward(batch, tq, tk, heads, headDim, causal, q, qOff, k, kOff, v, vOff, o, oOff, lse, lseOff, scratch, scratchOff,
        new Call());
  }

  private static void forward(int batch, int tq, int tk, int heads, int headDim, boolean causal,
      float[] q, int qOff, float[] k, int kOff, float[] v, int vOff, float[] o, int oOff,
      float[] lse, int lseOff, float[] scratch, int scratchOff, Call c) {
    check(batch, tq, tk, heads, headDim, causal);
    long qs = (long) batch * tq * heads * headDim;
    long ks = (long) batch * tk * heads * headDim;
    Checks.range("q", q, qOff, qs);
    Checks.range("k", k, kOff, ks);
    Checks.range("v", v, vOff, ks);
    Checks.range("o", o, oOff, qs);
    Checks.range("lse", lse, lseOff, lseFloats(batch, tq, heads));
    Checks.range("scratch", scratch, scratchOff, (long) slots(batch, tq, heads) * slotFloats(headDim));
    c.set(false, batch, tq, tk, heads, headDim, causal, q, qOff, k, kOff, v, vOff, o, oOff, null, 0, lse, lseOff,
        null, 0, null, 0, null, 0, false, scratch, scratchOff);
    try {
      Parallelism.forEach(c.tasks, c);
    } finally {
      c.clear();
    }
  }

  /**
   * Gradients of the {@link #forward} call that wrote {@code o} and {@code lse} (same sizes, mask,
   * q, k, v), given {@code dO = ∂L/∂o [B, Tq, H·d]}.
   *
   * @param dq {@code [B, Tq, H·d]}, or null to skip; written, or added to when {@code accumulate}
   * @param dk {@code [B, Tk, H·d]}, or null to skip; likewise
   * @param dv {@code [B, Tk, H·d]}, or null to skip; likewise
   * @param accumulate {@code +=} into dq, dk, dv instead of {@code =} (e.g. self-attention whose
   *     q, k, v gradients land in one fused projection gradient buffer that already holds a part)
   * @param scratch as for {@link #forward}
   */
  static void backward(int batch, int tq, int tk, int heads, int headDim, boolean causal,
      float[] q, int qOff, float[] k, int kOff, float[] v, int vOff, float[] o, int oOff, float[] dO, int dOOff,
      float[] lse, int lseOff, float[] dq, int dqOff, float[] dk, int dkOff, float[] dv, int dvOff,
      boolean accumulate, float[] scratch, int scratchOff) {
    backward(batch, tq, tk, heads, headDim, causal, q, qOff, k, kOff, v, vOff, o, oOff, dO, dOOff, lse, lseOff, dq, dqOff,
        dk, dkOff, dv, dvOff, accumulate, scratch, scratchOff, new Call());
  }

  private static void backward(int batch, int tq, int tk, int heads, int headDim, boolean causal,
      float[] q, int qOff, float[] k, int kOff, float[] v, int vOff, float[] o, int oOff, float[] dO, int dOOff,
      float[] lse, int lseOff, float[] dq, int dqOff, float[] dk, int dkOff, float[] dv, int dvOff,
      boolean accumulate, float[] scratch, int scratchOff, Call c) {
    check(batch, tq, tk, heads, headDim, causal);
    long qs = (long) batch * tq * heads * headDim;
    long ks = (long) batch * tk * heads * headDim;
    Checks.range("q", q, qOff, qs);
    Checks.range("k", k, kOff, ks);
    Checks.range("v", v, vOff, ks);
    Checks.range("o", o, oOff, qs);
    Checks.range("dO", dO, dOOff, qs);
    Checks.range("lse", lse, lseOff, lseFloats(batch, tq, heads));
    Checks.optionalRange("dq", dq, dqOff, qs);
    Checks.optionalRange("dk", dk, dkOff, ks);
    Checks.optionalRange("dv", dv, dvOff, ks);
    Checks.range("scratch", scratch, scratchOff, (long) slots(batch, tq, heads) * slotFloats(headDim));
    c.set(true, batch, tq, tk, heads, headDim, causal, q, qOff, k, kOff, v, vOff, o, oOff, dO, dOOff, lse, lseOff,
        dq, dqOff, dk, dkOff, dv, dvOff, accumulate, scratch, scratchOff);
    try {
      Parallelism.forEach(c.tasks, c);
    } finally {
      c.clear();
    }
  }

  private static void check(int batch, int tq, int tk, int heads, int headDim, boolean causal) {
    Checks.positive("batch", batch);
    Checks.positive("tq", tq);
    Checks.positive("tk", tk);
    Checks.positive("heads", heads);
    Checks.positive("headDim", headDim);
    if (causal && tq != tk) {
      throw new IllegalArgumentException("the causal mask needs as many queries as keys but tq=" + tq + ", tk=" + tk);
    }
    if ((long) batch * Math.max(tq, tk) * heads * headDim > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("attention tensors over 2^31 floats are not supported");
    }
  }

  /**
   * Columns to compute for a row that uses {@code n} of a block's {@code cols} keys: n rounded up
   * to {@value #PAD} (within the block), so a causal row's ragged end runs as whole vectors; the
   * extra (masked) scores are computed and ignored. Every score's bits are independent of how many
   * are computed, so forward and backward still agree.
   */
  static int padded(int n, int cols) {
    return Math.min(cols, (n + PAD - 1) & -PAD);
  }

  /** {@code kt[x·BLOCK_K + c] = src[row(j0 + c) + x]}: one key (or value) block, transposed. */
  static void transpose(float[] src, int base, int ld, int j0, int cols, int d, float[] kt, int ktOff) {
    for (int c = 0; c < cols; c++) {
      int s = base + (j0 + c) * ld;
      for (int x = 0; x < d; x++) {
        kt[ktOff + x * BLOCK_K + c] = src[s + x];
      }
    }
  }

  /** One call's arguments; a layer object keeps one, so a call allocates nothing. */
  private static final class Call implements IntConsumer {
    boolean backward;
    int batch;
    int tq;
    int tk;
    int heads;
    int d;
    boolean causal;
    float scale;
    float[] q;
    int qOff;
    float[] k;
    int kOff;
    float[] v;
    int vOff;
    float[] o;
    int oOff;
    float[] dO;
    int dOOff;
    float[] lse;
    int lseOff;
    float[] dq;
    int dqOff;
    float[] dk;
    int dkOff;
    float[] dv;
    int dvOff;
    boolean accumulate;
    float[] scratch;
    int scratchOff;
    int qBlocks;
    int units;
    int tasks;
    int slotFloats;

    void set(boolean backward, int batch, int tq, int tk, int heads, int d, boolean causal, float[] q, int qOff,
        float[] k, int kOff, float[] v, int vOff, float[] o, int oOff, float[] dO, int dOOff, float[] lse,
        int lseOff, float[] dq, int dqOff, float[] dk, int dkOff, float[] dv, int dvOff, boolean accumulate,
        float[] scratch, int scratchOff) {
      this.backward = backward;
      this.batch = batch;
      this.tq = tq;
      this.tk = tk;
      this.heads = heads;
      this.d = d;
      this.causal = causal;
      this.scale = scale(d);
      this.q = q;
      this.qOff = qOff;
      this.k = k;
      this.kOff = kOff;
      this.v = v;
      this.vOff = vOff;
      this.o = o;
      this.oOff = oOff;
      this.dO = dO;
      this.dOOff = dOOff;
      this.lse = lse;
      this.lseOff = lseOff;
      this.dq = dq;
      this.dqOff = dqOff;
      this.dk = dk;
      this.dkOff = dkOff;
      this.dv = dv;
      this.dvOff = dvOff;
      this.accumulate = accumulate;
      this.scratch = scratch;
      this.scratchOff = scratchOff;
      this.qBlocks = (tq + BLOCK_Q - 1) / BLOCK_Q;
      this.units = backward ? batch * heads : batch * heads * qBlocks;
      this.tasks = Math.min(units, MAX_TASKS);
      this.slotFloats = MultiHeadAttention.slotFloats(d);
    }

    void clear() {
      q = k = v = o = dO = lse = dq = dk = dv = scratch = null;
    }

    @Override
    public void accept(int task) {
      int slot = scratchOff + task * slotFloats;
      for (int u = task; u < units; u += tasks) {
        if (backward) {
          backwardUnit(u, slot);
        } else {
          forwardUnit(u / qBlocks, u % qBlocks, slot);
        }
      }
    }

    /** Queries {@code [qb·BLOCK_Q, …)} of head {@code bh % heads} of batch element {@code bh / heads}. */
    private void forwardUnit(int bh, int qb, int slot) {
      final int b = bh / heads;
      final int h = bh % heads;
      final int d = this.d;
      final int ld = heads * d;
      final int i0 = qb * BLOCK_Q;
      final int rows = Math.min(BLOCK_Q, tq - i0);
      final int qBase = qOff + b * tq * ld + h * d;
      final int kBase = kOff + b * tk * ld + h * d;
      final int vBase = vOff + b * tk * ld + h * d;
      final int oBase = oOff + b * tq * ld + h * d;
      final float[] w = scratch;
      final float[] v = this.v;
      final int kt = slot;
      final int srow = kt + d * BLOCK_K; // two score rows
      final int acc = srow + 2 * BLOCK_K;
      final int mm = acc + BLOCK_Q * d;
      final int ll = mm + BLOCK_Q;
      Arrays.fill(w, acc, acc + rows * d, 0f);
      Arrays.fill(w, mm, mm + rows, Float.NEGATIVE_INFINITY);
      Arrays.fill(w, ll, ll + rows, 0f);
      final int kEnd = causal ? i0 + rows : tk;
      for (int j0 = 0; j0 < kEnd; j0 += BLOCK_K) {
        int cols = Math.min(BLOCK_K, kEnd - j0);
        transpose(k, kBase, ld, j0, cols, d, w, kt);
        // two query rows at a time share the loads of the key and value block (twice the
        // independent fma chains); each row's operations and their order are a lone row's
        for (int r = 0; r < rows; ) {
          int n = keysSeen(i0 + r, j0, cols);
          int n2 = r + 1 < rows ? keysSeen(i0 + r + 1, j0, cols) : 0;
          if (n > 0 && n2 > 0) {
            int width = padded(Math.max(n, n2), cols);
            P.rowTimesBlockPair(w, srow, BLOCK_K, q, qBase + (i0 + r) * ld, ld, scale, w, kt, BLOCK_K, width, d);
            onlineSoftmax(w, srow, n, width, r, acc, mm, ll);
            onlineSoftmax(w, srow + BLOCK_K, n2, width, r + 1, acc, mm, ll);
            P.accumulateRowsPair(w, srow, BLOCK_K, n, n2, v, vBase + j0 * ld, ld, w, acc + r * d, d, d);
            r += 2;
            continue;
          }
          if (n > 0) {
            int width = padded(n, cols);
            P.rowTimesBlockPair(w, srow, BLOCK_K, q, qBase + (i0 + r) * ld, 0, scale, w, kt, BLOCK_K, width, d);
            onlineSoftmax(w, srow, n, width, r, acc, mm, ll);
            P.accumulateRows(w, srow, n, v, vBase + j0 * ld, ld, w, acc + r * d, d);
          }
          r++;
        }
      }
      int lseBase = lseOff + bh * tq;
      for (int r = 0; r < rows; r++) {
        int i = i0 + r;
        float l = w[ll + r];
        float inv = 1f / l;
        int ar = acc + r * d;
        int or = oBase + i * ld;
        for (int x = 0; x < d; x++) {
          o[or + x] = w[ar + x] * inv;
        }
        lse[lseBase + i] = w[mm + r] + FastMath.log(l);
      }
    }

    /** Keys of the block at {@code j0} ({@code cols} of them) that query {@code i} sees. */
    private int keysSeen(int i, int j0, int cols) {
      return causal ? Math.min(cols, i - j0 + 1) : cols;
    }

    /**
     * One row's step of the online softmax over a block: the row's {@code n} scores at {@code s}
     * (computed up to {@code width}) become {@code e^(score − new max)}, and its running max, sum
     * and accumulator are brought to the new max.
     */
    private void onlineSoftmax(float[] w, int s, int n, int width, int r, int acc, int mm, int ll) {
      float mx = w[s];
      for (int c = 1; c < n; c++) {
        mx = Math.max(mx, w[s + c]);
      }
      float mOld = w[mm + r];
      float mNew = Math.max(mOld, mx);
      float corr = mOld == Float.NEGATIVE_INFINITY ? 0f : FastMath.exp(mOld - mNew);
      float sum = P.expShifted(w, s, n, width, mNew);
      w[ll + r] = w[ll + r] * corr + sum;
      w[mm + r] = mNew;
      if (corr != 1f && mOld != Float.NEGATIVE_INFINITY) { // a row's first block: its accumulator is still 0
        int ar = acc + r * d;
        for (int x = 0; x < d; x++) {
          w[ar + x] *= corr;
        }
      }
    }

    /** All of head {@code bh % heads} of batch element {@code bh / heads}. */
    private void backwardUnit(int bh, int slot) {
      final int b = bh / heads;
      final int h = bh % heads;
      final int d = this.d;
      final int ld = heads * d;
      final int qBase = qOff + b * tq * ld + h * d;
      final int kBase = kOff + b * tk * ld + h * d;
      final int vBase = vOff + b * tk * ld + h * d;
      final int oBase = oOff + b * tq * ld + h * d;
      final int dOBase = dOOff + b * tq * ld + h * d;
      final int dqBase = dqOff + b * tq * ld + h * d;
      final int dkBase = dkOff + b * tk * ld + h * d;
      final int dvBase = dvOff + b * tk * ld + h * d;
      final int lseBase = lseOff + bh * tq;
      final float[] w = scratch;
      final float[] q = this.q;
      final float[] k = this.k;
      final float[] dO = this.dO;
      final float[] dq = this.dq;
      final int kt = slot;
      final int vt = kt + d * BLOCK_K;
      final int p = vt + d * BLOCK_K; // two rows of P
      final int dp = p + 2 * BLOCK_K; // two rows of dP, then dS
      final int dkA = dp + 2 * BLOCK_K;
      final int dvA = dkA + BLOCK_K * d;
      final int pt = dvA + BLOCK_K * d; // P of a chunk of rows, transposed: pt[c·BLOCK_Q + r]
      final int dst = pt + BLOCK_K * BLOCK_Q; // dS likewise
      final boolean needDs = dq != null || dk != null;
      if (dq != null && !accumulate) {
        for (int i = 0; i < tq; i++) {
          Arrays.fill(dq, dqBase + i * ld, dqBase + i * ld + d, 0f);
        }
      }
      for (int j0 = 0; j0 < tk; j0 += BLOCK_K) {
        int cols = Math.min(BLOCK_K, tk - j0);
        transpose(k, kBase, ld, j0, cols, d, w, kt);
        transpose(v, vBase, ld, j0, cols, d, w, vt);
        Arrays.fill(w, dkA, dkA + cols * d, 0f);
        Arrays.fill(w, dvA, dvA + cols * d, 0f);
        for (int i0 = causal ? j0 : 0; i0 < tq; i0 += BLOCK_Q) {
          int rows = Math.min(BLOCK_Q, tq - i0);
          // two query rows at a time, as in forward; each row's operations are a lone row's
          for (int r = 0; r < rows; ) {
            int i = i0 + r;
            int n = keysSeen(i, j0, cols);
            boolean two = r + 1 < rows;
            int n2 = two ? keysSeen(i + 1, j0, cols) : 0;
            int width = padded(Math.max(n, n2), cols);
            int qRow = qBase + i * ld;
            int doRow = dOBase + i * ld;
            // the forward's scores, bit for bit (same fma chains), then P = exp(S − lse)
            P.rowTimesBlockPair(w, p, BLOCK_K, q, qRow, two ? ld : 0, scale, w, kt, BLOCK_K, width, d);
            if (two) {
              probabilities(w, p + BLOCK_K, n2, width, lse[lseBase + i + 1], pt, r + 1);
            }
            probabilities(w, p, n, width, lse[lseBase + i], pt, r);
            if (needDs) {
              // D_i = do_i · o_i: dP's fma chain (x in order from 0), so a lone key, whose o is its
              // v exactly, gives dS = 0 exactly; two rows' chains side by side
              int oRow = oBase + i * ld;
              float di = 0f;
              float di2 = 0f;
              if (two) {
                for (int x = 0; x < d; x++) {
                  di = Math.fma(dO[doRow + x], o[oRow + x], di);
                  di2 = Math.fma(dO[doRow + ld + x], o[oRow + ld + x], di2);
                }
              } else {
                for (int x = 0; x < d; x++) {
                  di = Math.fma(dO[doRow + x], o[oRow + x], di);
                }
              }
              // dP = dO_i · V_jᵀ, then dS = P ⊙ (dP − D_i) · scale (the scale of S = scale·q·kᵀ)
              P.rowTimesBlockPair(w, dp, BLOCK_K, dO, doRow, two ? ld : 0, 1f, w, vt, BLOCK_K, width, d);
              if (two) {
                scoreGradients(w, p + BLOCK_K, dp + BLOCK_K, n2, di2, dst, r + 1);
              }
              scoreGradients(w, p, dp, n, di, dst, r);
              if (dq != null && two) {
                P.accumulateRowsPair(w, dp, BLOCK_K, n, n2, k, kBase + j0 * ld, ld, dq, dqBase + i * ld, ld, d);
              } else if (dq != null) {
                P.accumulateRows(w, dp, n, k, kBase + j0 * ld, ld, dq, dqBase + i * ld, d);
              }
            }
            r += two ? 2 : 1;
          }
          // dV_j += Pᵀ·dO and dK_j += dSᵀ·Q over this chunk's rows that see key j, in row order
          // (one fma per row, as an axpy per row would): two keys at a time with their
          // accumulators in registers; a causal key c sees one row more than key c + 1
          for (int c = 0; c < cols; c += 2) {
            int first = causal ? Math.max(0, j0 + c - i0) : 0;
            if (first >= rows) {
              break; // a causal chunk's later keys are seen by no row of it
            }
            int next = c + 1 == cols ? rows : causal ? Math.min(rows, Math.max(0, j0 + c + 1 - i0)) : 0;
            if (next > first) {
              keyGradients(w, pt, dst, c, first, next - first, i0, dvA, dkA, dOBase, qBase, ld, false);
            }
            if (next < rows) {
              keyGradients(w, pt, dst, c, next, rows - next, i0, dvA, dkA, dOBase, qBase, ld, true);
            }
          }
        }
        for (int c = 0; c < cols; c++) {
          int row = (j0 + c) * ld;
          if (dk != null) {
            store(dk, dkBase + row, w, dkA + c * d, d, accumulate);
          }
          if (dv != null) {
            store(dv, dvBase + row, w, dvA + c * d, d, accumulate);
          }
        }
      }
    }

    /** {@code P = e^(S − lse)} for one row's n scores at {@code s}, and into column r of the transposed chunk {@code pt}. */
    private static void probabilities(float[] w, int s, int n, int width, float lse, int pt, int r) {
      P.expShifted(w, s, n, width, lse);
      for (int c = 0; c < n; c++) {
        w[pt + c * BLOCK_Q + r] = w[s + c];
      }
    }

    /** {@code dS = P ⊙ (dP − D_i) · scale} in place of one row's dP, and into column r of the transposed chunk {@code dst}. */
    private void scoreGradients(float[] w, int p, int dp, int n, float di, int dst, int r) {
      for (int c = 0; c < n; c++) {
        float ds = w[p + c] * (w[dp + c] - di) * scale;
        w[dp + c] = ds;
        w[dst + c * BLOCK_Q + r] = ds;
      }
    }

    /**
     * {@code dV_c += Pᵀ·dO} and {@code dK_c += dSᵀ·Q} over the chunk's rows {@code [from, from +
     * count)}, for key c, or (with {@code pair}) keys c and c + 1 together.
     */
    private void keyGradients(float[] w, int pt, int dst, int c, int from, int count, int i0, int dvA, int dkA,
        int dOBase, int qBase, int ld, boolean pair) {
      int col = c * BLOCK_Q + from;
      int rowsAt = (i0 + from) * ld;
      if (dv != null && pair) {
        P.accumulateRowsPair(w, pt + col, BLOCK_Q, count, count, dO, dOBase + rowsAt, ld, w, dvA + c * d, d, d);
      } else if (dv != null) {
        P.accumulateRows(w, pt + col, count, dO, dOBase + rowsAt, ld, w, dvA + c * d, d);
      }
      if (dk != null && pair) {
        P.accumulateRowsPair(w, dst + col, BLOCK_Q, count, count, q, qBase + rowsAt, ld, w, dkA + c * d, d, d);
      } else if (dk != null) {
        P.accumulateRows(w, dst + col, count, q, qBase + rowsAt, ld, w, dkA + c * d, d);
      }
    }

    private static void store(float[] dst, int dstOff, float[] src, int srcOff, int n, boolean accumulate) {
      if (accumulate) {
        for (int x = 0; x < n; x++) {
          dst[dstOff + x] += src[srcOff + x];
        }
      } else {
        System.arraycopy(src, srcOff, dst, dstOff, n);
      }
    }
  }
}
