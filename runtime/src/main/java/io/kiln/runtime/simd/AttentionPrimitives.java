package io.kiln.runtime.simd;

/**
 * The inner loops of {@code io.kiln.runtime.attention.MultiHeadAttention}: a row (or two) times a transposed block
 * (scores, dP), rows accumulated with weights (P·V, dS·K, and with a transposed P or dS, Pᵀ·dO and dSᵀ·Q) and
 * the shifted exponentials with their sum.
 *
 * <p>Two implementations: {@link ScalarAttentionPrimitives} (plain Java) and
 * the Vector API one in {@code io.kiln.runtime.panama}; {@link KernelProvider#attention()} hands
 * out the one {@link Vectorization} chose. Every element of the row products and accumulations is the
 * same chain of {@link Math#fma} in the same order in both, so they agree bit for bit; only the sum
 * returned by {@link #expShifted} is added in a different order (lane-wise, then lanes in order).
 * Both give the same bits in every JVM mode. Internal to the runtime: public only so that the
 * panama package can implement it.
 */
public interface AttentionPrimitives {

  /**
   * Two rows of {@code (scale·a)·Bᵀ} against a transposed block: for each row, {@code out[c] = Σ_x
   * fma((a[x]·scale), bt[x·ldb + c], ·)} for {@code c < n}, x = 0..d−1 in order, starting from 0;
   * the first row's {@code a} and {@code out} at {@code aOff}, {@code outOff}, the second's one
   * stride further. The rows share the loads of the block (twice the independent fma chains). For
   * one row, pass {@code aStride = 0}: the second output row repeats the first.
   */
  void rowTimesBlockPair(float[] out, int outOff, int outStride, float[] a, int aOff, int aStride, float scale,
      float[] bt, int btOff, int ldb, int n, int d);

  /** {@code acc[x] = fma(p[c], rows[c·ld + x], acc[x])} for c = 0..n−1 in order, x &lt; d. */
  void accumulateRows(float[] p, int pOff, int n, float[] rows, int rowsOff, int ld, float[] acc, int accOff, int d);

  /**
   * {@link #accumulateRows} for two weight vectors over the same rows: {@code n1} weights at
   * {@code pOff} into {@code acc} at {@code accOff}, {@code n2} weights one {@code pStride} further
   * into {@code acc} one {@code accStride} further (the two accumulators must not overlap). Each
   * element the same bits as two separate calls; the rows are loaded once for both.
   */
  void accumulateRowsPair(float[] p, int pOff, int pStride, int n1, int n2, float[] rows, int rowsOff, int ld,
      float[] acc, int accOff, int accStride, int d);

  /**
   * {@code x[i] = FastMath.exp(x[i] − shift)} in place for {@code i < n}; returns their sum. Entries
   * {@code [n, width)} (readable and finite) may be overwritten too, with values to ignore: a
   * vectorized version runs whole vectors there rather than a scalar tail.
   */
  float expShifted(float[] x, int off, int n, int width, float shift);
}
