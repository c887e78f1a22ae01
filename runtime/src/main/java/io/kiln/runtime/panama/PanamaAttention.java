package io.kiln.runtime.panama;

import io.kiln.runtime.simd.AttentionPrimitives;
import io.kiln.runtime.simd.ScalarAttentionPrimitives;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API {@link AttentionPrimitives} for {@link io.kiln.runtime.attention.MultiHeadAttention}:
 * accumulators stay in registers across the reduction (over d for scores, over keys for P·V), every
 * element is the scalar twin's chain of fma in the same order (bitwise equal), tails run through
 * {@link ScalarAttentionPrimitives}. No vector crosses a call boundary (see {@link PanamaMath}).
 * Loaded by name from {@link AttentionPrimitives#chosen()}.
 */
final class PanamaAttention implements AttentionPrimitives {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  PanamaAttention() {}

  @Override
  public void rowTimesBlockPair(float[] out, int outOff, int outStride, float[] a, int aOff, int aStride, float scale,
      float[] bt, int btOff, int ldb, int n, int d) {
    int out2 = outOff + outStride;
    int a2 = aOff + aStride;
    int c = 0;
    for (; c + 4 * L <= n; c += 4 * L) {
      FloatVector s0 = FloatVector.zero(S);
      FloatVector s1 = s0;
      FloatVector s2 = s0;
      FloatVector s3 = s0;
      FloatVector t0 = s0;
      FloatVector t1 = s0;
      FloatVector t2 = s0;
      FloatVector t3 = s0;
      for (int x = 0; x < d; x++) {
        FloatVector ax = FloatVector.broadcast(S, a[aOff + x] * scale);
        FloatVector bx = FloatVector.broadcast(S, a[a2 + x] * scale);
        int br = btOff + x * ldb + c;
        FloatVector k0 = FloatVector.fromArray(S, bt, br);
        FloatVector k1 = FloatVector.fromArray(S, bt, br + L);
        FloatVector k2 = FloatVector.fromArray(S, bt, br + 2 * L);
        FloatVector k3 = FloatVector.fromArray(S, bt, br + 3 * L);
        s0 = ax.fma(k0, s0);
        s1 = ax.fma(k1, s1);
        s2 = ax.fma(k2, s2);
        s3 = ax.fma(k3, s3);
        t0 = bx.fma(k0, t0);
        t1 = bx.fma(k1, t1);
        t2 = bx.fma(k2, t2);
        t3 = bx.fma(k3, t3);
      }
      s0.intoArray(out, outOff + c);
      s1.intoArray(out, outOff + c + L);
      s2.intoArray(out, outOff + c + 2 * L);
      s3.intoArray(out, outOff + c + 3 * L);
      t0.intoArray(out, out2 + c);
      t1.intoArray(out, out2 + c + L);
      t2.intoArray(out, out2 + c + 2 * L);
      t3.intoArray(out, out2 + c + 3 * L);
    }
    for (; c + L <= n; c += L) {
      FloatVector s0 = FloatVector.zero(S);
      FloatVector t0 = s0;
      for (int x = 0; x < d; x++) {
        FloatVector k0 = FloatVector.fromArray(S, bt, btOff + x * ldb + c);
        s0 = FloatVector.broadcast(S, a[aOff + x] * scale).fma(k0, s0);
        t0 = FloatVector.broadcast(S, a[a2 + x] * scale).fma(k0, t0);
      }
      s0.intoArray(out, outOff + c);
      t0.intoArray(out, out2 + c);
    }
    if (c < n) {
      ScalarAttentionPrimitives.rowTimesBlockRange(out, outOff, a, aOff, scale, bt, btOff, ldb, c, n, d);
      ScalarAttentionPrimitives.rowTimesBlockRange(out, out2, a, a2, scale, bt, btOff, ldb, c, n, d);
    }
  }

  @Override
  public void accumulateRowsPair(float[] p, int pOff, int pStride, int n1, int n2, float[] rows, int rowsOff, int ld,
      float[] acc, int accOff, int accStride, int d) {
    int p2 = pOff + pStride;
    int acc2 = accOff + accStride;
    int both = Math.min(n1, n2);
    int x = 0;
    for (; x + 2 * L <= d; x += 2 * L) {
      FloatVector a0 = FloatVector.fromArray(S, acc, accOff + x);
      FloatVector a1 = FloatVector.fromArray(S, acc, accOff + x + L);
      FloatVector b0 = FloatVector.fromArray(S, acc, acc2 + x);
      FloatVector b1 = FloatVector.fromArray(S, acc, acc2 + x + L);
      int c = 0;
      for (; c < both; c++) {
        int r = rowsOff + c * ld + x;
        FloatVector v0 = FloatVector.fromArray(S, rows, r);
        FloatVector v1 = FloatVector.fromArray(S, rows, r + L);
        FloatVector pc = FloatVector.broadcast(S, p[pOff + c]);
        FloatVector qc = FloatVector.broadcast(S, p[p2 + c]);
        a0 = pc.fma(v0, a0);
        a1 = pc.fma(v1, a1);
        b0 = qc.fma(v0, b0);
        b1 = qc.fma(v1, b1);
      }
      for (int e = c; e < n1; e++) {
        FloatVector pc = FloatVector.broadcast(S, p[pOff + e]);
        int r = rowsOff + e * ld + x;
        a0 = pc.fma(FloatVector.fromArray(S, rows, r), a0);
        a1 = pc.fma(FloatVector.fromArray(S, rows, r + L), a1);
      }
      for (int e = c; e < n2; e++) {
        FloatVector qc = FloatVector.broadcast(S, p[p2 + e]);
        int r = rowsOff + e * ld + x;
        b0 = qc.fma(FloatVector.fromArray(S, rows, r), b0);
        b1 = qc.fma(FloatVector.fromArray(S, rows, r + L), b1);
      }
      a0.intoArray(acc, accOff + x);
      a1.intoArray(acc, accOff + x + L);
      b0.intoArray(acc, acc2 + x);
      b1.intoArray(acc, acc2 + x + L);
    }
    for (; x + L <= d; x += L) {
      FloatVector a0 = FloatVector.fromArray(S, acc, accOff + x);
      FloatVector b0 = FloatVector.fromArray(S, acc, acc2 + x);
      for (int c = 0; c < n1; c++) {
        a0 = FloatVector.broadcast(S, p[pOff + c]).fma(FloatVector.fromArray(S, rows, rowsOff + c * ld + x), a0);
      }
      for (int c = 0; c < n2; c++) {
        b0 = FloatVector.broadcast(S, p[p2 + c]).fma(FloatVector.fromArray(S, rows, rowsOff + c * ld + x), b0);
      }
      a0.intoArray(acc, accOff + x);
      b0.intoArray(acc, acc2 + x);
    }
    if (x < d) {
      ScalarAttentionPrimitives.accumulateRowsRange(p, pOff, n1, rows, rowsOff, ld, acc, accOff, x, d);
      ScalarAttentionPrimitives.accumulateRowsRange(p, p2, n2, rows, rowsOff, ld, acc, acc2, x, d);
    }
  }

  @Override
  public void accumulateRows(float[] p, int pOff, int n, float[] rows, int rowsOff, int ld, float[] acc, int accOff,
      int d) {
    int x = 0;
    for (; x + 2 * L <= d; x += 2 * L) {
      FloatVector a0 = FloatVector.fromArray(S, acc, accOff + x);
      FloatVector a1 = FloatVector.fromArray(S, acc, accOff + x + L);
      for (int c = 0; c < n; c++) {
        FloatVector pc = FloatVector.broadcast(S, p[pOff + c]);
        int r = rowsOff + c * ld + x;
        a0 = pc.fma(FloatVector.fromArray(S, rows, r), a0);
        a1 = pc.fma(FloatVector.fromArray(S, rows, r + L), a1);
      }
      a0.intoArray(acc, accOff + x);
      a1.intoArray(acc, accOff + x + L);
    }
    for (; x + L <= d; x += L) {
      FloatVector a0 = FloatVector.fromArray(S, acc, accOff + x);
      for (int c = 0; c < n; c++) {
        a0 = FloatVector.broadcast(S, p[pOff + c]).fma(FloatVector.fromArray(S, rows, rowsOff + c * ld + x), a0);
      }
      a0.intoArray(acc, accOff + x);
    }
    if (x < d) {
      ScalarAttentionPrimitives.accumulateRowsRange(p, pOff, n, rows, rowsOff, ld, acc, accOff, x, d);
    }
  }

  @Override
  public float expShifted(float[] x, int off, int n, int width, float shift) {
    return PanamaMath.expShifted(x, off, x, off, n, width, shift);
  }
}
