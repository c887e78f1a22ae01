package io.kiln.runtime.simd;

/** Plain Java {@link AttentionPrimitives}: the fallback and the Vector API version's twin. */
public final class ScalarAttentionPrimitives implements AttentionPrimitives {

  public ScalarAttentionPrimitives() {}

  @Override
  public void rowTimesBlockPair(float[] out, int outOff, int outStride, float[] a, int aOff, int aStride, float scale,
      float[] bt, int btOff, int ldb, int n, int d) {
    rowTimesBlockRange(out, outOff, a, aOff, scale, bt, btOff, ldb, 0, n, d);
    rowTimesBlockRange(out, outOff + outStride, a, aOff + aStride, scale, bt, btOff, ldb, 0, n, d);
  }

  /** One row of {@link #rowTimesBlockPair}, columns {@code [from, to)} only (the Vector API version's tail). */
  public static void rowTimesBlockRange(float[] out, int outOff, float[] a, int aOff, float scale, float[] bt,
      int btOff, int ldb, int from, int to, int d) {
    for (int c = from; c < to; c++) {
      out[outOff + c] = 0f;
    }
    for (int x = 0; x < d; x++) {
      float ax = a[aOff + x] * scale;
      int br = btOff + x * ldb;
      for (int c = from; c < to; c++) {
        out[outOff + c] = Math.fma(ax, bt[br + c], out[outOff + c]);
      }
    }
  }

  @Override
  public void accumulateRows(float[] p, int pOff, int n, float[] rows, int rowsOff, int ld, float[] acc, int accOff,
      int d) {
    accumulateRowsRange(p, pOff, n, rows, rowsOff, ld, acc, accOff, 0, d);
  }

  @Override
  public void accumulateRowsPair(float[] p, int pOff, int pStride, int n1, int n2, float[] rows, int rowsOff, int ld,
      float[] acc, int accOff, int accStride, int d) {
    accumulateRowsRange(p, pOff, n1, rows, rowsOff, ld, acc, accOff, 0, d);
    accumulateRowsRange(p, pOff + pStride, n2, rows, rowsOff, ld, acc, accOff + accStride, 0, d);
  }

  /** {@link #accumulateRows} for elements {@code [from, to)} of the row only. */
  public static void accumulateRowsRange(float[] p, int pOff, int n, float[] rows, int rowsOff, int ld, float[] acc,
      int accOff, int from, int to) {
    for (int c = 0; c < n; c++) {
      float pc = p[pOff + c];
      int r = rowsOff + c * ld;
      for (int x = from; x < to; x++) {
        acc[accOff + x] = Math.fma(pc, rows[r + x], acc[accOff + x]);
      }
    }
  }

  @Override
  public float expShifted(float[] x, int off, int n, int width, float shift) {
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      float e = FastMath.exp(x[off + i] - shift);
      x[off + i] = e;
      sum += e;
    }
    return sum;
  }
}
