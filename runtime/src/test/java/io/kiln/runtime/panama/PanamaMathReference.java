package io.kiln.runtime.panama;

import static io.kiln.runtime.panama.PanamaMath.*;

import io.kiln.runtime.simd.FastMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The readable vector definitions of PanamaMath's functions, lane for lane {@link FastMath}. They
 * live with the tests: the runtime's kernels repeat these operations inside their loops, because no
 * vector may cross a call C2 might not inline (see PanamaMath). PanamaMathTest checks these against
 * FastMath bitwise, and the array kernels against FastMath too.
 */
final class PanamaMathReference {
  private PanamaMathReference() {}

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  /** e^x lane-wise; see {@link FastMath#exp}. */
  public static FloatVector exp(FloatVector x) {
    x = x.blend(FastMath_EXP_MIN, x.compare(VectorOperators.LT, FastMath_EXP_MIN));
    x = x.blend(FastMath_EXP_MAX, x.compare(VectorOperators.GT, FastMath_EXP_MAX));
    FloatVector t = x.fma(LOG2E, SHIFT);
    FloatVector nf = t.sub(SHIFT);
    FloatVector r = nf.fma(FloatVector.broadcast(S, -LN2_HI), x);
    r = nf.fma(FloatVector.broadcast(S, -LN2_LO), r);
    FloatVector p = FloatVector.broadcast(S, E5).fma(r, FloatVector.broadcast(S, E4));
    p = p.fma(r, FloatVector.broadcast(S, E3));
    p = p.fma(r, FloatVector.broadcast(S, E2));
    p = p.fma(r, FloatVector.broadcast(S, E1));
    p = p.fma(r, FloatVector.broadcast(S, E0));
    FloatVector y = p.fma(r.mul(r), r).add(1f);
    IntVector n = ((IntVector) t.reinterpretAsInts()).sub(SHIFT_BITS);
    IntVector n1 = n.lanewise(VectorOperators.ASHR, 1);
    IntVector n2 = n.sub(n1);
    FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return y.mul(s1).mul(s2);
  }

  /** tanh(x) lane-wise; see {@link FastMath#tanh}. */
  public static FloatVector tanh(FloatVector x) {
    FloatVector z = x.mul(x);
    FloatVector p = FloatVector.broadcast(S, T4).fma(z, FloatVector.broadcast(S, T3));
    p = p.fma(z, FloatVector.broadcast(S, T2));
    p = p.fma(z, FloatVector.broadcast(S, T1));
    p = p.fma(z, FloatVector.broadcast(S, T0));
    FloatVector ax = x.abs();
    FloatVector small = p.mul(z).fma(ax, ax);
    FloatVector e = exp(ax.mul(-2f));
    FloatVector one = FloatVector.broadcast(S, 1f);
    FloatVector large = one.sub(e).div(one.add(e));
    IntVector r = (IntVector) large.blend(small, ax.compare(VectorOperators.LT, TANH_SMALL)).reinterpretAsInts();
    return r.or(((IntVector) x.reinterpretAsInts()).and(SIGN)).reinterpretAsFloats();
  }

  /** The logistic function lane-wise; see {@link FastMath#sigmoid}. */
  public static FloatVector sigmoid(FloatVector x) {
    FloatVector e = exp(x.abs().neg());
    FloatVector one = FloatVector.broadcast(S, 1f);
    VectorMask<Float> neg = x.compare(VectorOperators.LT, 0f);
    FloatVector num = one.blend(e, neg);
    FloatVector d = one.add(e);
    FloatVector q = num.div(d);
    FloatVector dErr = one.sub(d).add(e);
    FloatVector mq = q.neg();
    FloatVector res = mq.fma(dErr, mq.fma(d, num));
    FloatVector invD = q.blend(one.sub(q), neg);
    return res.fma(invD, q);
  }

  /** log of positive normal or subnormal lanes plus the correction c; see FastMath.logCore. */
  private static FloatVector logCore(FloatVector x, FloatVector c) {
    VectorMask<Float> sub = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
    FloatVector xs = x.blend(x.mul(TWO23), sub);
    IntVector ix = (IntVector) xs.reinterpretAsInts();
    IntVector k = ix.sub(SQRT_HALF_BITS).lanewise(VectorOperators.ASHR, 23);
    FloatVector m = ix.sub(k.lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats();
    IntVector kAdj = k.blend(k.sub(23), sub.cast(IntVector.SPECIES_PREFERRED));
    FloatVector kf = (FloatVector) kAdj.convert(VectorOperators.I2F, 0);
    FloatVector f = m.sub(1f);
    FloatVector z = f.mul(f);
    FloatVector p = FloatVector.broadcast(S, L8).fma(f, FloatVector.broadcast(S, L7));
    p = p.fma(f, FloatVector.broadcast(S, L6));
    p = p.fma(f, FloatVector.broadcast(S, L5));
    p = p.fma(f, FloatVector.broadcast(S, L4));
    p = p.fma(f, FloatVector.broadcast(S, L3));
    p = p.fma(f, FloatVector.broadcast(S, L2));
    p = p.fma(f, FloatVector.broadcast(S, L1));
    p = p.fma(f, FloatVector.broadcast(S, L0));
    FloatVector y = p.mul(f).mul(z);
    y = kf.fma(FloatVector.broadcast(S, LN2_LO), y);
    y = z.fma(FloatVector.broadcast(S, -0.5f), y);
    y = y.add(c);
    FloatVector r = f.add(y);
    return kf.fma(FloatVector.broadcast(S, LN2_HI), r);
  }

  /** Natural log lane-wise; see {@link FastMath#log}. */
  public static FloatVector log(FloatVector x) {
    FloatVector r = logCore(x, FloatVector.zero(S));
    r = x.blend(r, x.compare(VectorOperators.LT, Float.POSITIVE_INFINITY));
    r = r.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
    return r.blend(Float.NaN, x.compare(VectorOperators.LT, 0f));
  }

  /** log(1 + x) lane-wise; see {@link FastMath#log1p}. */
  public static FloatVector log1p(FloatVector x) {
    FloatVector one = FloatVector.broadcast(S, 1f);
    FloatVector w = one.add(x);
    FloatVector bb = w.sub(1f);
    FloatVector c = one.sub(w.sub(bb)).add(x.sub(bb));
    FloatVector r = logCore(w, c.div(w));
    r = x.blend(r, x.compare(VectorOperators.LT, Float.POSITIVE_INFINITY));
    r = r.blend(x, x.compare(VectorOperators.EQ, 0f));
    r = r.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, -1f));
    return r.blend(Float.NaN, x.compare(VectorOperators.LT, -1f));
  }
}
