package io.kiln.runtime.simd;

import io.kiln.runtime.CallContexts;
import io.kiln.runtime.Parallelism;
import java.util.function.IntConsumer;

/**
 * The GELU kernels behind {@code io.kiln.runtime.attention.Gelu} (which checks arguments) and the
 * scalar twin's GELU activation: PyTorch's default exact form {@code gelu(x) = x·Φ(x) = ½·x·(1 + erf(x/√2))} (not the tanh
 * approximation), forward and backward, element-wise over flat arrays.
 *
 * <p>{@link #erf} is computed here from IEEE-exact operations and {@link FastMath#exp} only, never a
 * library call whose bits could change when the JIT compiles the caller: |x| &lt; 0.75 by its
 * Taylor series (8 terms, Horner), otherwise through {@code erfc} by the Chebyshev-fitted form of
 * Numerical Recipes ({@code erfc(z) ≈ t·exp(−z² + P(t))}, {@code t = 1/(1 + z/2)}, fractional
 * error below 1.2e-7). Measured against a double-precision erf: absolute error ≤ ~1.5e-7; and
 * {@code 1 + erf(z)} for negative z is taken as {@code erfc(|z|)} directly, so GELU's negative
 * tail keeps its relative accuracy.
 *
 * <p>Large arrays are split into fixed chunks of {@value #CHUNK} elements run by
 * {@link Parallelism} (element-wise: results do not depend on the thread count). Nothing is
 * allocated per call. The oracle is {@code io.kiln.runtime.attention.GeluReference} (in the tests).
 */
public final class GeluKernels {
  /** Elements per task. */
  static final int CHUNK = 1 << 14;
  private static final float TWO_OVER_SQRT_PI = 1.1283791670955126f;
  private static final float INV_SQRT2 = 0.70710678118654752f;
  private static final float INV_SQRT_2PI = 0.39894228040143268f;
  private static final float SERIES_LIMIT = 0.75f;

  /** One context per concurrent large call (a single-chunk call runs inline without one). */
  private static final CallContexts<Call> CALLS = new CallContexts<>(4, Call::new);

  private GeluKernels() {}

  /** erf(x) for a float, to ~1.5e-7 absolute, deterministic; odd, erf(±∞) = ±1, NaN stays NaN. */
  public static float erf(float x) {
    float ax = Math.abs(x);
    if (ax < SERIES_LIMIT) {
      return x * series(x * x);
    }
    float r = 1f - erfcTail(ax);
    return x < 0f ? -r : r;
  }

  /** {@code 1 + erf(z)}, with relative accuracy for negative z (it is erfc(−z) there). */
  static float onePlusErf(float z) {
    float az = Math.abs(z);
    if (az < SERIES_LIMIT) {
      return 1f + z * series(z * z);
    }
    float c = erfcTail(az);
    return z < 0f ? c : 2f - c;
  }

  /** {@code erf(x)/x} for |x| &lt; 0.75: {@code 2/√π · Σ (−1)ⁿ x²ⁿ / (n!(2n+1))}, n ≤ 7, in z = x². */
  private static float series(float z) {
    float p = -1f / 75600f;
    p = Math.fma(p, z, 1f / 9360f);
    p = Math.fma(p, z, -1f / 1320f);
    p = Math.fma(p, z, 1f / 216f);
    p = Math.fma(p, z, -1f / 42f);
    p = Math.fma(p, z, 1f / 10f);
    p = Math.fma(p, z, -1f / 3f);
    p = Math.fma(p, z, 1f);
    return p * TWO_OVER_SQRT_PI;
  }

  /** erfc(z) for z ≥ 0.75 (Numerical Recipes' erfcc); 0 beyond ~10, NaN stays NaN. */
  private static float erfcTail(float z) {
    if (z >= 10f) {
      return 0f; // erfc(10) ≈ 2e-45; also keeps ∞ − ∞ out of the split below
    }
    float t = 1f / Math.fma(0.5f, z, 1f);
    float p = 0.17087277f;
    p = Math.fma(p, t, -0.82215223f);
    p = Math.fma(p, t, 1.48851587f);
    p = Math.fma(p, t, -1.13520398f);
    p = Math.fma(p, t, 0.27886807f);
    p = Math.fma(p, t, -0.18628806f);
    p = Math.fma(p, t, 0.09678418f);
    p = Math.fma(p, t, 0.37409196f);
    p = Math.fma(p, t, 1.00002368f);
    p = Math.fma(p, t, -1.26551223f);
    // −z² split as hi + lo (lo exact by fma): exp(−z² + p) ≈ exp(−hi + p)·(1 − lo)
    float hi = z * z;
    float lo = Math.fma(z, z, -hi);
    float e = FastMath.exp(p - hi);
    return t * e * (1f - lo);
  }

  /** gelu(x) for one value. */
  public static float gelu(float x) {
    return 0.5f * x * onePlusErf(x * INV_SQRT2);
  }

  /** gelu'(x) = Φ(x) + x·φ(x) for one value. */
  public static float derivative(float x) {
    float cdf = 0.5f * onePlusErf(x * INV_SQRT2);
    float pdf = INV_SQRT_2PI * FastMath.exp(-0.5f * x * x);
    return Math.fma(x, pdf, cdf);
  }

  /** {@code y[i] = gelu(x[i])} for {@code n} elements; y may alias x (same offset). Unchecked. */
  public static void forward(int n, float[] x, int xOff, float[] y, int yOff) {
    run(false, n, x, xOff, null, 0, y, yOff, false);
  }

  /**
   * {@code dx[i] = dy[i]·gelu'(x[i])} (or {@code +=} when {@code accumulate}), x the forward's
   * input; dx may alias dy (same offset) when not accumulating. Unchecked.
   */
  public static void backward(int n, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
      boolean accumulate) {
    run(true, n, x, xOff, dy, dyOff, dx, dxOff, accumulate);
  }

  private static void run(boolean backward, int n, float[] x, int xOff, float[] dy, int dyOff, float[] out,
      int outOff, boolean accumulate) {
    if (n <= 0) {
      return;
    }
    int chunks = (n + CHUNK - 1) / CHUNK;
    if (chunks == 1) {
      chunk(backward, 0, n, x, xOff, dy, dyOff, out, outOff, accumulate);
      return;
    }
    Call c = CALLS.take();
    c.backward = backward;
    c.n = n;
    c.x = x;
    c.xOff = xOff;
    c.dy = dy;
    c.dyOff = dyOff;
    c.out = out;
    c.outOff = outOff;
    c.accumulate = accumulate;
    try {
      Parallelism.forEach(chunks, c);
    } finally {
      c.x = c.dy = c.out = null;
      CALLS.give(c);
    }
  }

  /** Elements {@code [from, to)}: {@code out = gelu(x)}, or {@code out (+)= dy·gelu'(x)} backward. */
  private static void chunk(boolean backward, int from, int to, float[] x, int xOff, float[] dy, int dyOff, float[] out,
      int outOff, boolean accumulate) {
    if (!backward) {
      for (int i = from; i < to; i++) {
        out[outOff + i] = gelu(x[xOff + i]);
      }
    } else if (accumulate) {
      for (int i = from; i < to; i++) {
        out[outOff + i] += dy[dyOff + i] * derivative(x[xOff + i]);
      }
    } else {
      for (int i = from; i < to; i++) {
        out[outOff + i] = dy[dyOff + i] * derivative(x[xOff + i]);
      }
    }
  }

  private static final class Call implements IntConsumer {
    boolean backward;
    int n;
    float[] x;
    int xOff;
    float[] dy;
    int dyOff;
    float[] out;
    int outOff;
    boolean accumulate;

    @Override
    public void accept(int task) {
      int from = task * CHUNK;
      chunk(backward, from, Math.min(n, from + CHUNK), x, xOff, dy, dyOff, out, outOff, accumulate);
    }
  }
}
