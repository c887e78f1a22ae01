package io.kiln.runtime.attention;

/**
 * The double-precision twin of {@link Gelu}: {@code ½·x·(1 + erf(x/√2))} and its derivative with
 * an erf accurate to ~1e-15 (Taylor series below 2.5, the continued fraction of erfc above).
 * Written to be read; the oracle of {@link Gelu}'s tests.
 */
public final class GeluReference {
  private GeluReference() {}

  /** erf(x) in double. */
  public static double erf(double x) {
    double ax = Math.abs(x);
    if (ax < 2.5) {
      // 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
      double term = ax;
      double sum = ax;
      for (int n = 1; n < 200 && Math.abs(term) > 1e-18; n++) {
        term *= -ax * ax / n;
        sum += term / (2 * n + 1);
      }
      double r = sum * 2 / Math.sqrt(Math.PI);
      return x < 0 ? -r : r;
    }
    double r = 1 - erfc(ax);
    return x < 0 ? -r : r;
  }

  /** erfc(x) for x ≥ 2.5 by its continued fraction {@code e^−x²/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …))))}. */
  static double erfc(double x) {
    double f = x;
    for (int n = 300; n >= 1; n--) {
      f = x + (n / 2.0) / f;
    }
    return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
  }

  /** 1 + erf(z), accurate for negative z. */
  static double onePlusErf(double z) {
    return z < -2.5 ? erfc(-z) : 1 + erf(z);
  }

  public static double gelu(double x) {
    return 0.5 * x * onePlusErf(x / Math.sqrt(2));
  }

  public static double derivative(double x) {
    return 0.5 * onePlusErf(x / Math.sqrt(2)) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  }

  /** As {@link Gelu#forward}. */
  public static void forward(int n, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] = (float) gelu(x[xOff + i]);
    }
  }

  /** As {@link Gelu#backward}. */
  public static void backward(int n, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
      boolean accumulate) {
    for (int i = 0; i < n; i++) {
      double g = dy[dyOff + i] * derivative(x[xOff + i]);
      dx[dxOff + i] = accumulate ? (float) (dx[dxOff + i] + g) : (float) g;
    }
  }
}
