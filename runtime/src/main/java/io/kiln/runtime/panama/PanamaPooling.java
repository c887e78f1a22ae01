package io.kiln.runtime.panama;

import io.kiln.runtime.simd.PoolKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API pooling planes. 2×2 stride-2 max: per L outputs, the vertical max of two row pairs of
 * 2L inputs, then the max of their even and odd lanes (two-vector rearranges), then the floor. Max
 * is exact and both use {@code Math.max} semantics (a NaN wins, {@code max(-0, 0) = 0}), so the
 * values equal the scalar twin's (only a NaN's payload may differ: the window is reduced in another
 * order).
 */
final class PanamaPooling implements PoolKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Lane i: input lane 2i of the pair (a, b) — an index ≥ L wraps to b (exceptional index). */
  private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i < L ? 2 * i : 2 * i - 2 * L);
  private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1 < L ? 2 * i + 1 : 2 * i + 1 - 2 * L);

  @Override
  public void maxPool2x2(float[] x, int in, int w, int oh, int ow, float[] y, int out, float floor) {
    if (ow < L) {
      PoolKernels.super.maxPool2x2(x, in, w, oh, ow, y, out, floor);
      return;
    }
    for (int i = 0; i < oh; i++) {
      int r0 = in + 2 * i * w;
      int o = out + i * ow;
      int j = 0;
      for (; j + L <= ow; j += L) {
        row(x, r0, w, j, y, o, floor);
      }
      if (j < ow) {
        // the last L outputs again, overlapping: same values, no masks (inputs stay inside the rows)
        row(x, r0, w, ow - L, y, o, floor);
      }
    }
  }

  /** Outputs {@code [j, j + L)} of the row pair at {@code r0}. */
  private static void row(float[] x, int r0, int w, int j, float[] y, int o, float floor) {
    int c = r0 + 2 * j;
    FloatVector a = FloatVector.fromArray(S, x, c).max(FloatVector.fromArray(S, x, c + w));
    FloatVector b = FloatVector.fromArray(S, x, c + L).max(FloatVector.fromArray(S, x, c + L + w));
    a.rearrange(EVEN, b).max(a.rearrange(ODD, b)).max(floor).intoArray(y, o + j);
  }
}
