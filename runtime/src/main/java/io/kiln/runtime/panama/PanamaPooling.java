package io.kiln.runtime.panama;

import io.kiln.runtime.simd.PoolKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API pooling planes. 2×2 stride-2 max: per L outputs (for a row narrower than L, down to
 * L / 2, one vector with its store masked to the row), the vertical max of two row pairs of 2L
 * inputs, then the max of their even and odd lanes (two-vector rearranges), then the floor. Max is
 * exact and both use {@code Math.max} semantics (a NaN wins, {@code max(-0, 0) = 0}), so the values
 * equal the scalar twin's (only a NaN's payload may differ: the window is reduced in another order).
 */
final class PanamaPooling implements PoolKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Lane i: input lane 2i of the pair (a, b) — an index ≥ L wraps to b (exceptional index). */
  private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i < L ? 2 * i : 2 * i - 2 * L);
  private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1 < L ? 2 * i + 1 : 2 * i + 1 - 2 * L);

  /** Lane i: lane i / 2 (each of L / 2 windows' gradient in both its lanes). */
  private static final VectorShuffle<Float> DUP = VectorShuffle.fromOp(S, i -> i / 2);
  /** Lane i: its window partner in the same input row (i ^ 1). */
  private static final VectorShuffle<Float> SWAP = VectorShuffle.fromOp(S, i -> i ^ 1);
  /** The even lanes: the left column of each window. */
  private static final VectorMask<Float> LEFT = VectorMask.fromLong(S, 0x5555_5555_5555_5555L & ((1L << L) - 1));

  @Override
  public int maxRoute2x2Row(float[] x, int r, int w, float[] dy, int o, float[] dx, int dr, int ow, boolean accumulate,
      boolean relu) {
    int half = L / 2;
    int j = 0;
    // a full vector of dy is loaded (half of it used): stop before it would pass the array's end
    for (; j + half <= ow && o + j + L <= dy.length; j += half) {
      route(x, r + 2 * j, w, dy, o + j, dx, dr + 2 * j, accumulate, relu);
    }
    // stored (not added): the last windows again, overlapping, rewrite the same values, so the
    // ragged end needs no scalar loop (p2 of cnn64 has 14 windows a row: 6 of them were scalar)
    int last = ow - half;
    if (!accumulate && j < ow && last >= 0 && o + last + L <= dy.length) {
      route(x, r + 2 * last, w, dy, o + last, dx, dr + 2 * last, false, relu);
      j = ow;
    }
    return j;
  }

  /**
   * L / 2 windows: top row {@code x[c, c + L)}, bottom row {@code + w}, gradients
   * {@code dy[d, d + L/2)}. One method with scalar arguments only: a vector passed to a method C2
   * does not inline is boxed.
   */
  private static void route(float[] x, int c, int w, float[] dy, int d, float[] dx, int e, boolean accumulate,
      boolean relu) {
    FloatVector a = FloatVector.fromArray(S, x, c);
    FloatVector b = FloatVector.fromArray(S, x, c + w);
    FloatVector v = a.max(b);
    FloatVector m = v.max(v.rearrange(SWAP)); // each window's max, in both its lanes
    FloatVector g = FloatVector.fromArray(S, dy, d).rearrange(DUP);
    // with relu, only windows whose max is > 0 pass their gradient (no branch: a vector phi can box)
    VectorMask<Float> live = m.compare(VectorOperators.GT, 0f).or(S.maskAll(!relu));
    // lanes equal to the max, or NaN (only when the max is NaN); written out, no mask crosses a call
    FloatVector as = a.rearrange(SWAP);
    FloatVector bs = b.rearrange(SWAP);
    VectorMask<Float> ha = a.compare(VectorOperators.EQ, m).or(a.test(VectorOperators.IS_NAN));
    VectorMask<Float> hap = as.compare(VectorOperators.EQ, m).or(as.test(VectorOperators.IS_NAN));
    VectorMask<Float> hb = b.compare(VectorOperators.EQ, m).or(b.test(VectorOperators.IS_NAN));
    VectorMask<Float> hbp = bs.compare(VectorOperators.EQ, m).or(bs.test(VectorOperators.IS_NAN));
    // the first max, row-major: top left; top right unless top left; bottom left unless the top
    // has one; bottom right unless any other
    VectorMask<Float> ta = ha.and(LEFT.or(hap.not())).and(live);
    VectorMask<Float> tb = hb.and(ha.or(hap).not()).and(LEFT.or(hbp.not())).and(live);
    FloatVector zero = FloatVector.zero(S);
    FloatVector da = zero.blend(g, ta);
    FloatVector db = zero.blend(g, tb);
    if (accumulate) {
      FloatVector.fromArray(S, dx, e).add(da).intoArray(dx, e);
      FloatVector.fromArray(S, dx, e + w).add(db).intoArray(dx, e + w);
    } else {
      da.intoArray(dx, e);
      db.intoArray(dx, e + w);
    }
  }

  @Override
  public void maxPool2x2(float[] x, int in, int w, int oh, int ow, float[] y, int out, float floor) {
    if (ow < L / 2) {
      PoolKernels.super.maxPool2x2(x, in, w, oh, ow, y, out, floor);
      return;
    }
    for (int i = 0; i < oh; i++) {
      int r0 = in + 2 * i * w;
      int o = out + i * ow;
      if (ow < L) {
        narrowRow(x, r0, w, y, o, ow, floor);
        continue;
      }
      int j = 0;
      for (; j + L <= ow; j += L) {
        row(x, r0, w, j, y, o, floor);
      }
      if (j < ow) {
        // the last outputs again, overlapping: same values, no masks (inputs stay inside the rows)
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

  /**
   * The {@code ow < L} outputs of a narrow row pair (LeNet's 14): a whole vector of windows whose
   * lanes past the row read on into the next rows, and a store masked to the row. (A second, half
   * width vector species did this before; one species only: see {@link PanamaGemmPacking#WIDE}.)
   * Where the reads or the store would pass an array's end, the row is computed one window at a time.
   */
  private void narrowRow(float[] x, int r0, int w, float[] y, int o, int ow, float floor) {
    if (r0 + w + 2 * L > x.length || o + L > y.length) {
      PoolKernels.super.maxPool2x2(x, r0, w, 1, ow, y, o, floor);
      return;
    }
    FloatVector a = FloatVector.fromArray(S, x, r0).max(FloatVector.fromArray(S, x, r0 + w));
    FloatVector b = FloatVector.fromArray(S, x, r0 + L).max(FloatVector.fromArray(S, x, r0 + L + w));
    a.rearrange(EVEN, b).max(a.rearrange(ODD, b)).max(floor).intoArray(y, o, VectorMask.fromLong(S, (1L << ow) - 1));
  }
}
