package io.kiln.runtime.simd;

/**
 * Float exp, tanh, sigmoid, log and log1p that give the same bits in every JVM mode
 * (interpreter, C1, C2) and on every machine: they use only IEEE-exact operations (+, −, ×, ÷,
 * {@link Math#fma}, comparisons, integer bit manipulation), never {@link Math#exp} and friends,
 * which the JDK may compute differently before and after JIT compilation.
 *
 * <p>{@code io.kiln.runtime.panama.PanamaMath} mirrors every function here lane for lane, operation
 * for operation, so a Vector API kernel and its scalar twin agree bit for bit. Change both
 * together (the tests check it).
 *
 * <p>Methods: Cephes-style range reduction and minimax polynomials (Horner with fma). Accuracy
 * against the correctly rounded result over all finite floats (tested densely, including
 * subnormal results): exp ≤ 1 ulp, tanh, sigmoid ≤ 1.5 ulp, log, log1p ≤ 1 ulp.
 */
public final class FastMath {
  private FastMath() {}

  // exp: x = n·ln2 + r, |r| ≤ ln2/2; e^r by a degree-7 polynomial (Cephes expf); scale by 2^n.
  /** Below: e^x &lt; 2^−150 rounds to 0; clamping here keeps n ≥ −150. */
  static final float EXP_MIN = -104f;
  /** Above: e^x overflows; clamping here keeps n ≤ 128 (2^64 · 2^64 · y ≥ 2^128 → +∞). */
  static final float EXP_MAX = 89f;
  static final float LOG2E = 1.44269504088896341f;
  /** 1.5·2^23: adding it rounds to an integer held in the low mantissa bits. */
  static final float SHIFT = 0x1.8p23f;
  static final int SHIFT_BITS = 0x4B400000;
  /** ln2 = LN2_HI + LN2_LO; LN2_HI has 9 significant bits, so n·LN2_HI is exact. */
  static final float LN2_HI = 0.693359375f;
  static final float LN2_LO = -2.12194440e-4f;
  static final float E5 = 1.9875691500e-4f;
  static final float E4 = 1.3981999507e-3f;
  static final float E3 = 8.3334519073e-3f;
  static final float E2 = 4.1665795894e-2f;
  static final float E1 = 1.6666665459e-1f;
  static final float E0 = 5.0000001201e-1f;

  /**
   * e^x. Overflows to +∞ above ~88.72, gives subnormals down to ~−103.28 and 0 below; NaN stays
   * NaN, e^−∞ = 0.
   */
  public static float exp(float x) {
    x = x < EXP_MIN ? EXP_MIN : x;
    x = x > EXP_MAX ? EXP_MAX : x;
    float t = Math.fma(x, LOG2E, SHIFT);
    float nf = t - SHIFT;
    float r = Math.fma(nf, -LN2_HI, x);
    r = Math.fma(nf, -LN2_LO, r);
    float p = Math.fma(E5, r, E4);
    p = Math.fma(p, r, E3);
    p = Math.fma(p, r, E2);
    p = Math.fma(p, r, E1);
    p = Math.fma(p, r, E0);
    float y = Math.fma(p, r * r, r) + 1f;
    // 2^n as two factors 2^n1 · 2^n2 (each a normal float for n in [−150, 128]): y·2^n1 is
    // exact, the second product rounds once, also into the subnormal range.
    int n = Float.floatToRawIntBits(t) - SHIFT_BITS;
    int n1 = n >> 1;
    int n2 = n - n1;
    float s1 = Float.intBitsToFloat((n1 + 127) << 23);
    float s2 = Float.intBitsToFloat((n2 + 127) << 23);
    return y * s1 * s2;
  }

  // tanh: odd polynomial for |x| < 0.625 (Cephes tanhf), else (1 − e^−2|x|) / (1 + e^−2|x|).
  static final float TANH_SMALL = 0.625f;
  static final float T4 = -5.70498872745e-3f;
  static final float T3 = 2.06390887954e-2f;
  static final float T2 = -5.37397155531e-2f;
  static final float T1 = 1.33314422036e-1f;
  static final float T0 = -3.33332819422e-1f;

  /** tanh(x): odd, ±0 kept, ±1 beyond about ±9, NaN stays NaN. */
  public static float tanh(float x) {
    float z = x * x;
    float p = Math.fma(T4, z, T3);
    p = Math.fma(p, z, T2);
    p = Math.fma(p, z, T1);
    p = Math.fma(p, z, T0);
    // On |x|, then x's sign bit: keeps tanh(−0) = −0 (x + x·z·p would give +0) and is odd exactly.
    float ax = Math.abs(x);
    float small = Math.fma(p * z, ax, ax);
    float e = exp(-2f * ax);
    float large = (1f - e) / (1f + e);
    float r = ax < TANH_SMALL ? small : large;
    return Float.intBitsToFloat(Float.floatToRawIntBits(r) | (Float.floatToRawIntBits(x) & 0x80000000));
  }

  /**
   * The logistic function 1 / (1 + e^−x), as e / (1 + e) with e = e^−|x| ≤ 1 for x &lt; 0, so
   * nothing overflows and tiny results keep their relative accuracy (down to subnormals).
   */
  public static float sigmoid(float x) {
    float e = exp(-Math.abs(x));
    float num = x < 0f ? e : 1f;
    float d = 1f + e;
    float q = num / d;
    // One Newton step on num / (d + dErr), dErr the (exact) rounding error of d: without it the
    // two roundings of 1 + e and the quotient reached 2.2 ulp.
    float dErr = (1f - d) + e;
    float res = Math.fma(-q, dErr, Math.fma(-q, d, num));
    float invD = x < 0f ? 1f - q : q; // 1 / d ≈ 1 − σ(x) for x < 0, σ(x) for x ≥ 0
    return Math.fma(res, invD, q);
  }

  // log: x = 2^k·m, m in [√½, √2); log(1 + f) = f − f²/2 + f³·P(f) (Cephes logf).
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

  /** log of a positive normal or subnormal float, with the correction {@code c} added (log1p). */
  static float logCore(float x, float c) {
    boolean sub = x < Float.MIN_NORMAL;
    float xs = sub ? x * TWO23 : x;
    int ix = Float.floatToRawIntBits(xs);
    int k = (ix - SQRT_HALF_BITS) >> 23;
    float m = Float.intBitsToFloat(ix - (k << 23));
    float kf = (float) ((sub ? k - 23 : k));
    float f = m - 1f;
    float z = f * f;
    float p = Math.fma(L8, f, L7);
    p = Math.fma(p, f, L6);
    p = Math.fma(p, f, L5);
    p = Math.fma(p, f, L4);
    p = Math.fma(p, f, L3);
    p = Math.fma(p, f, L2);
    p = Math.fma(p, f, L1);
    p = Math.fma(p, f, L0);
    float y = p * f * z;
    y = Math.fma(kf, LN2_LO, y);
    y = Math.fma(-0.5f, z, y);
    y = y + c;
    float r = f + y;
    return Math.fma(kf, LN2_HI, r);
  }

  /** Natural log: log(±0) = −∞, log(x &lt; 0) = NaN, log(+∞) = +∞, NaN stays NaN. */
  public static float log(float x) {
    float r = logCore(x, 0f);
    r = x < Float.POSITIVE_INFINITY ? r : x;
    r = x == 0f ? Float.NEGATIVE_INFINITY : r;
    return x < 0f ? Float.NaN : r;
  }

  /**
   * log(1 + x), accurate for tiny x: w = 1 + x rounded, the rounding error c (exact, by
   * TwoSum) enters as c / w. log1p(±0) = ±0, log1p(−1) = −∞, below −1 NaN.
   */
  public static float log1p(float x) {
    float w = 1f + x;
    float bb = w - 1f;
    float c = (1f - (w - bb)) + (x - bb);
    float r = logCore(w, c / w);
    r = x < Float.POSITIVE_INFINITY ? r : x;
    r = x == 0f ? x : r;
    r = x == -1f ? Float.NEGATIVE_INFINITY : r;
    return x < -1f ? Float.NaN : r;
  }
}
