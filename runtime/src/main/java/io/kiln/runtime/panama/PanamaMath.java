package io.kiln.runtime.panama;

import io.kiln.runtime.simd.FastMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Deterministic vector exp, tanh, sigmoid, log and log1p: {@link FastMath} lane for lane, so
 * every lane gives the same bits as the scalar function.
 *
 * <p>Why not {@code lanewise(VectorOperators.EXP)}: the JDK computes the transcendental lanewise
 * operators with a Java fallback (per-lane {@code Math.exp} in double) in the interpreter and C1
 * but with an SVML/libm stub once C2 compiles the caller, and the two differ in the last bit. JIT
 * timing varies from run to run, so a model using them did not reproduce its losses for a
 * seed. These use only operations Java defines exactly (add, sub, mul, fma, div, compare,
 * blend, abs, neg, integer shifts and bit reinterpretation), which give the same bits in every
 * mode. Keep it that way: no {@code lanewise} transcendental, no {@code MIN}/{@code MAX} needed.
 *
 * <p>Operation order mirrors {@link FastMath} exactly; change both together.
 *
 * <p>The readable {@code FloatVector → FloatVector} definitions are {@code PanamaMathReference}
 * in the test sources, checked lane for lane against FastMath. The array kernels here repeat
 * the same operations inside the loop body: C2 must inline a method that takes or returns a
 * vector or it boxes the vector (an allocation per call), and it refuses to inline a method it has
 * already compiled on its own into a big body ("already compiled into a big method") or once the
 * caller is large (NodeCountInliningCutoff). Both happened to {@code exp}/{@code tanh} called from
 * the GEMM epilogue, which then allocated megabytes per call; only JDK classes can force inlining.
 * So no vector crosses a call boundary in the kernels: every copy of the polynomial is checked
 * bitwise against {@link FastMath} by the tests.
 */
final class PanamaMath {
  private PanamaMath() {}

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  // ---- Array kernels: PanamaMathReference's vector definitions (test sources) repeated inside
  // each loop (see the class comment).

  /** {@code x[off, off + n) = σ(x)} in place, bitwise equal to {@link FastMath#sigmoid}. */
  public static void sigmoid(float[] x, int off, int n) {
    FloatVector one = FloatVector.broadcast(S, 1f);
    int bound = S.loopBound(n);
    int i = 0;
    for (; i < bound; i += S.length()) {
      FloatVector v = FloatVector.fromArray(S, x, off + i);
      FloatVector e;
      { // e = exp(−|v|)
        FloatVector xx = v.abs().neg();
        xx = xx.blend(FastMath_EXP_MIN, xx.compare(VectorOperators.LT, FastMath_EXP_MIN));
        xx = xx.blend(FastMath_EXP_MAX, xx.compare(VectorOperators.GT, FastMath_EXP_MAX));
        FloatVector t = xx.fma(LOG2E, SHIFT);
        FloatVector nf = t.sub(SHIFT);
        FloatVector r = nf.fma(FloatVector.broadcast(S, -LN2_HI), xx);
        r = nf.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, E5).fma(r, FloatVector.broadcast(S, E4));
        p = p.fma(r, FloatVector.broadcast(S, E3));
        p = p.fma(r, FloatVector.broadcast(S, E2));
        p = p.fma(r, FloatVector.broadcast(S, E1));
        p = p.fma(r, FloatVector.broadcast(S, E0));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector nn = ((IntVector) t.reinterpretAsInts()).sub(SHIFT_BITS);
        IntVector n1 = nn.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = nn.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        e = y.mul(s1).mul(s2);
      }
      VectorMask<Float> neg = v.compare(VectorOperators.LT, 0f);
      FloatVector num = one.blend(e, neg);
      FloatVector d = one.add(e);
      FloatVector q = num.div(d);
      FloatVector dErr = one.sub(d).add(e);
      FloatVector mq = q.neg();
      FloatVector res = mq.fma(dErr, mq.fma(d, num));
      FloatVector invD = q.blend(one.sub(q), neg);
      res.fma(invD, q).intoArray(x, off + i);
    }
    for (; i < n; i++) {
      x[off + i] = FastMath.sigmoid(x[off + i]);
    }
  }

  /** {@code x[off, off + n) = tanh(x)} in place, bitwise equal to {@link FastMath#tanh}. */
  public static void tanh(float[] x, int off, int n) {
    FloatVector one = FloatVector.broadcast(S, 1f);
    int bound = S.loopBound(n);
    int i = 0;
    for (; i < bound; i += S.length()) {
      FloatVector v = FloatVector.fromArray(S, x, off + i);
      FloatVector z = v.mul(v);
      FloatVector pt = FloatVector.broadcast(S, T4).fma(z, FloatVector.broadcast(S, T3));
      pt = pt.fma(z, FloatVector.broadcast(S, T2));
      pt = pt.fma(z, FloatVector.broadcast(S, T1));
      pt = pt.fma(z, FloatVector.broadcast(S, T0));
      FloatVector ax = v.abs();
      FloatVector small = pt.mul(z).fma(ax, ax);
      FloatVector e;
      { // e = exp(−2|v|)
        FloatVector xx = ax.mul(-2f);
        xx = xx.blend(FastMath_EXP_MIN, xx.compare(VectorOperators.LT, FastMath_EXP_MIN));
        xx = xx.blend(FastMath_EXP_MAX, xx.compare(VectorOperators.GT, FastMath_EXP_MAX));
        FloatVector t = xx.fma(LOG2E, SHIFT);
        FloatVector nf = t.sub(SHIFT);
        FloatVector r = nf.fma(FloatVector.broadcast(S, -LN2_HI), xx);
        r = nf.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, E5).fma(r, FloatVector.broadcast(S, E4));
        p = p.fma(r, FloatVector.broadcast(S, E3));
        p = p.fma(r, FloatVector.broadcast(S, E2));
        p = p.fma(r, FloatVector.broadcast(S, E1));
        p = p.fma(r, FloatVector.broadcast(S, E0));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector nn = ((IntVector) t.reinterpretAsInts()).sub(SHIFT_BITS);
        IntVector n1 = nn.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = nn.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        e = y.mul(s1).mul(s2);
      }
      FloatVector large = one.sub(e).div(one.add(e));
      IntVector rb = (IntVector) large.blend(small, ax.compare(VectorOperators.LT, TANH_SMALL)).reinterpretAsInts();
      rb.or(((IntVector) v.reinterpretAsInts()).and(SIGN)).reinterpretAsFloats().intoArray(x, off + i);
    }
    for (; i < n; i++) {
      x[off + i] = FastMath.tanh(x[off + i]);
    }
  }

  /**
   * {@code out[i] = e^(x[i] − shift)} (when {@code out} is not null; it may alias x) and returns
   * their sum: the vector part summed lane-wise, then the scalar tail in order. Every term is
   * bitwise {@code FastMath.exp(x[i] − shift)}.
   */
  public static float expShifted(float[] out, int outOff, float[] x, int off, int n, float shift) {
    return expShifted(out, outOff, x, off, n, n, shift);
  }

  /**
   * {@link #expShifted} whose vector loop may run on into {@code [n, width)} (readable, finite
   * entries) instead of leaving a scalar tail: {@code out} there receives their exponentials, which
   * the sum leaves out (masked lanes add nothing). A causal attention row of n scores padded to a
   * whole vector takes one vector instead of up to L − 1 scalar exponentials.
   */
  public static float expShifted(float[] out, int outOff, float[] x, int off, int n, int width, float shift) {
    int bound = Math.min(S.loopBound(width), (n + S.length() - 1) / S.length() * S.length());
    int i = 0;
    float sum = 0f;
    if (bound > 0) {
      FloatVector acc = FloatVector.zero(S);
      for (; i < bound; i += S.length()) {
        FloatVector e;
        {
          FloatVector xx = FloatVector.fromArray(S, x, off + i).sub(shift);
          xx = xx.blend(FastMath_EXP_MIN, xx.compare(VectorOperators.LT, FastMath_EXP_MIN));
          xx = xx.blend(FastMath_EXP_MAX, xx.compare(VectorOperators.GT, FastMath_EXP_MAX));
          FloatVector t = xx.fma(LOG2E, SHIFT);
          FloatVector nf = t.sub(SHIFT);
          FloatVector r = nf.fma(FloatVector.broadcast(S, -LN2_HI), xx);
          r = nf.fma(FloatVector.broadcast(S, -LN2_LO), r);
          FloatVector p = FloatVector.broadcast(S, E5).fma(r, FloatVector.broadcast(S, E4));
          p = p.fma(r, FloatVector.broadcast(S, E3));
          p = p.fma(r, FloatVector.broadcast(S, E2));
          p = p.fma(r, FloatVector.broadcast(S, E1));
          p = p.fma(r, FloatVector.broadcast(S, E0));
          FloatVector y = p.fma(r.mul(r), r).add(1f);
          IntVector nn = ((IntVector) t.reinterpretAsInts()).sub(SHIFT_BITS);
          IntVector n1 = nn.lanewise(VectorOperators.ASHR, 1);
          IntVector n2 = nn.sub(n1);
          FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
          FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
          e = y.mul(s1).mul(s2);
        }
        if (out != null) {
          e.intoArray(out, outOff + i);
        }
        if (i + S.length() > n) {
          e = e.blend(0f, S.indexInRange(i, n).not()); // lanes past n (width > n only)
        }
        acc = acc.add(e);
      }
      // Lane 0 to L−1 in order, not reduceLanes(ADD): its order is unspecified, and C2's tree
      // reduction and the interpreter's sequential one round differently.
      for (int l = 0; l < S.length(); l++) {
        sum += acc.lane(l);
      }
    }
    for (; i < n; i++) {
      float e = FastMath.exp(x[off + i] - shift);
      if (out != null) {
        out[outOff + i] = e;
      }
      sum += e;
    }
    return sum;
  }

  /**
   * The vector part of fused sigmoid + binary cross-entropy over {@code [0, bound)} (bound a
   * multiple of the vector length): returns Σ (max(z, 0) − z·t + log1p(e^−|z|)) summed lane-wise
   * (lane sums added in lane order, in double) and, when {@code dLogits} is not null, writes
   * {@code (σ(z) − t) · invN}. Each term and
   * gradient is bitwise the scalar twin's (FastMath), with e^−|z| computed once for both.
   */
  public static double sigmoidBceTerms(
      float[] dLogits, int dOff, float[] logits, int lOff, float[] targets, int tOff, int bound, float invN) {
    FloatVector one = FloatVector.broadcast(S, 1f);
    FloatVector acc = FloatVector.zero(S);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector zv = FloatVector.fromArray(S, logits, lOff + i);
      FloatVector tv = FloatVector.fromArray(S, targets, tOff + i);
      FloatVector e;
      { // e = exp(−|z|)
        FloatVector xx = zv.abs().neg();
        xx = xx.blend(FastMath_EXP_MIN, xx.compare(VectorOperators.LT, FastMath_EXP_MIN));
        xx = xx.blend(FastMath_EXP_MAX, xx.compare(VectorOperators.GT, FastMath_EXP_MAX));
        FloatVector t = xx.fma(LOG2E, SHIFT);
        FloatVector nf = t.sub(SHIFT);
        FloatVector r = nf.fma(FloatVector.broadcast(S, -LN2_HI), xx);
        r = nf.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, E5).fma(r, FloatVector.broadcast(S, E4));
        p = p.fma(r, FloatVector.broadcast(S, E3));
        p = p.fma(r, FloatVector.broadcast(S, E2));
        p = p.fma(r, FloatVector.broadcast(S, E1));
        p = p.fma(r, FloatVector.broadcast(S, E0));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector nn = ((IntVector) t.reinterpretAsInts()).sub(SHIFT_BITS);
        IntVector n1 = nn.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = nn.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        e = y.mul(s1).mul(s2);
      }
      FloatVector softplus;
      { // log1p(e), e in [0, 1]: no special cases but e = 0 (log1p(0) = 0) apply
        FloatVector w = one.add(e);
        FloatVector bb = w.sub(1f);
        FloatVector c = one.sub(w.sub(bb)).add(e.sub(bb)).div(w);
        // logCore(w, c): w in [1, 2], a normal float
        IntVector ix = (IntVector) w.reinterpretAsInts();
        IntVector k = ix.sub(SQRT_HALF_BITS).lanewise(VectorOperators.ASHR, 23);
        FloatVector m = ix.sub(k.lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats();
        FloatVector kf = (FloatVector) k.convert(VectorOperators.I2F, 0);
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
        softplus = kf.fma(FloatVector.broadcast(S, LN2_HI), r);
        softplus = softplus.blend(e, e.compare(VectorOperators.EQ, 0f)); // log1p(±0) = ±0
      }
      acc = acc.add(zv.max(0f).sub(zv.mul(tv)).add(softplus));
      if (dLogits != null) {
        VectorMask<Float> neg = zv.compare(VectorOperators.LT, 0f);
        FloatVector num = one.blend(e, neg);
        FloatVector d = one.add(e);
        FloatVector q = num.div(d);
        FloatVector dErr = one.sub(d).add(e);
        FloatVector mq = q.neg();
        FloatVector res = mq.fma(dErr, mq.fma(d, num));
        FloatVector invD = q.blend(one.sub(q), neg);
        res.fma(invD, q).sub(tv).mul(invN).intoArray(dLogits, dOff + i);
      }
    }
    double total = 0;
    for (int l = 0; l < S.length(); l++) {
      total += acc.lane(l); // in lane order: reduceLanes(ADD) is not deterministic (see expShifted)
    }
    return total;
  }

  // The constants of FastMath (package-private there; repeated here so the JIT sees constants).
  static final float FastMath_EXP_MIN = -104f;
  static final float FastMath_EXP_MAX = 89f;
  static final float LOG2E = 1.44269504088896341f;
  static final float SHIFT = 0x1.8p23f;
  static final int SHIFT_BITS = 0x4B400000;
  static final float LN2_HI = 0.693359375f;
  static final float LN2_LO = -2.12194440e-4f;
  static final float E5 = 1.9875691500e-4f;
  static final float E4 = 1.3981999507e-3f;
  static final float E3 = 8.3334519073e-3f;
  static final float E2 = 4.1665795894e-2f;
  static final float E1 = 1.6666665459e-1f;
  static final float E0 = 5.0000001201e-1f;
  static final float TANH_SMALL = 0.625f;
  static final int SIGN = 0x80000000;
  static final float T4 = -5.70498872745e-3f;
  static final float T3 = 2.06390887954e-2f;
  static final float T2 = -5.37397155531e-2f;
  static final float T1 = 1.33314422036e-1f;
  static final float T0 = -3.33332819422e-1f;
  static final int SQRT_HALF_BITS = 0x3f3504f3;
  static final float L8 = 7.0376836292e-2f;
  static final float L7 = -1.1514610310e-1f;
  static final float L6 = 1.1676998740e-1f;
  static final float L5 = -1.2420140846e-1f;
  static final float L4 = 1.4249322787e-1f;
  static final float L3 = -1.6668057665e-1f;
  static final float L2 = 2.0000714765e-1f;
  static final float L1 = -2.4999993993e-1f;
  static final float L0 = 3.3333331174e-1f;
  static final float TWO23 = 0x1p23f;
}
