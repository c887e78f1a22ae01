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
  public void rowTimesBlock(float[] out, int outOff, float[] a, int aOff, float scale, float[] bt, int btOff, int ldb,
      int n, int d) {
    int c = 0;
    for (; c + 4 * L <= n; c += 4 * L) {
      FloatVector s0 = FloatVector.zero(S);
      FloatVector s1 = s0;
      FloatVector s2 = s0;
      FloatVector s3 = s0;
      for (int x = 0; x < d; x++) {
        FloatVector ax = FloatVector.broadcast(S, a[aOff + x] * scale);
        int br = btOff + x * ldb + c;
        s0 = ax.fma(FloatVector.fromArray(S, bt, br), s0);
        s1 = ax.fma(FloatVector.fromArray(S, bt, br + L), s1);
        s2 = ax.fma(FloatVector.fromArray(S, bt, br + 2 * L), s2);
        s3 = ax.fma(FloatVector.fromArray(S, bt, br + 3 * L), s3);
      }
      s0.intoArray(out, outOff + c);
      s1.intoArray(out, outOff + c + L);
      s2.intoArray(out, outOff + c + 2 * L);
      s3.intoArray(out, outOff + c + 3 * L);
    }
    // two columns of vectors at once where four do not fit (a causal row of 17…48 keys): two
    // independent fma chains instead of one after the other
    for (; c + 2 * L <= n; c += 2 * L) {
      FloatVector s0 = FloatVector.zero(S);
      FloatVector s1 = s0;
      for (int x = 0; x < d; x++) {
        FloatVector ax = FloatVector.broadcast(S, a[aOff + x] * scale);
        int br = btOff + x * ldb + c;
        s0 = ax.fma(FloatVector.fromArray(S, bt, br), s0);
        s1 = ax.fma(FloatVector.fromArray(S, bt, br + L), s1);
      }
      s0.intoArray(out, outOff + c);
      s1.intoArray(out, outOff + c + L);
    }
    for (; c + L <= n; c += L) {
      FloatVector s0 = FloatVector.zero(S);
      for (int x = 0; x < d; x++) {
        s0 = FloatVector.broadcast(S, a[aOff + x] * scale).fma(FloatVector.fromArray(S, bt, btOff + x * ldb + c), s0);
      }
      s0.intoArray(out, outOff + c);
    }
    if (c < n) {
      ScalarAttentionPrimitives.rowTimesBlockRange(out, outOff, a, aOff, scale, bt, btOff, ldb, c, n, d);
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
  public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    int i = 0;
    if (n >= L) {
      FloatVector av = FloatVector.broadcast(S, a);
      for (; i + L <= n; i += L) {
        av.fma(FloatVector.fromArray(S, x, xOff + i), FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
      }
    }
    for (; i < n; i++) {
      y[yOff + i] = Math.fma(a, x[xOff + i], y[yOff + i]);
    }
  }

  @Override
  public float expShifted(float[] x, int off, int n, int width, float shift) {
    return PanamaMath.expShifted(x, off, x, off, n, width, shift);
  }
}
