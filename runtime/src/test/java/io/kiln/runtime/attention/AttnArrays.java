package io.kiln.runtime.attention;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;

/** Shared helpers for the attention kernel tests: seeded data at an offset with NaN guards, comparisons, finite differences. */
final class AttnArrays {
  /** Every array has this many NaN guard floats before and after its data. */
  static final int OFF = 3;

  private AttnArrays() {}

  static float[] random(Random r, int n, double scale) {
    float[] a = new float[n + 2 * OFF];
    Arrays.fill(a, Float.NaN);
    for (int i = 0; i < n; i++) {
      a[OFF + i] = (float) (r.nextGaussian() * scale);
    }
    return a;
  }

  static float[] zeros(int n) {
    float[] a = new float[n + 2 * OFF];
    Arrays.fill(a, Float.NaN);
    Arrays.fill(a, OFF, OFF + n, 0f);
    return a;
  }

  /** Data length (without guards). */
  static int size(float[] a) {
    return a.length - 2 * OFF;
  }

  /**
   * Asserts {@code max|e − a| ≤ rel · max(max|e|, floor)} over the data, and that the guards are
   * still NaN (offsets honoured).
   */
  static void assertClose(String what, float[] expected, float[] actual, double rel, double floor) {
    int n = size(expected);
    double maxE = floor;
    double maxErr = 0;
    int worst = -1;
    for (int i = 0; i < n; i++) {
      maxE = Math.max(maxE, Math.abs(expected[OFF + i]));
      double err = Math.abs((double) expected[OFF + i] - actual[OFF + i]);
      if (!(err <= maxErr)) {
        maxErr = err;
        worst = i;
      }
    }
    if (!(maxErr <= rel * maxE)) {
      fail(what + ": max error " + maxErr + " at " + worst + " (expected " + expected[OFF + worst] + ", was "
          + actual[OFF + worst] + ") exceeds " + rel + " × " + maxE);
    }
    guards(what, actual);
  }

  static void guards(String what, float[] a) {
    for (int i = 0; i < OFF; i++) {
      if (!Float.isNaN(a[i]) || !Float.isNaN(a[a.length - 1 - i])) {
        fail(what + ": a guard outside the data was written");
      }
    }
  }

  static double dot(float[] r, float[] y) {
    double s = 0;
    for (int i = 0; i < size(r); i++) {
      s += (double) r[OFF + i] * y[OFF + i];
    }
    return s;
  }

  /** Central differences of {@code loss} in every data element of {@code p} against {@code grad}. */
  static void checkGradient(String name, float[] p, float[] grad, DoubleSupplier loss, float eps, double abs,
      double rel) {
    for (int i = 0; i < size(p); i++) {
      float old = p[OFF + i];
      p[OFF + i] = old + eps;
      double plus = loss.getAsDouble();
      p[OFF + i] = old - eps;
      double minus = loss.getAsDouble();
      p[OFF + i] = old;
      double numeric = (plus - minus) / ((double) (old + eps) - (double) (old - eps));
      double analytic = grad[OFF + i];
      double tol = abs + rel * Math.abs(numeric);
      if (!(Math.abs(numeric - analytic) <= tol)) {
        fail("d" + name + "[" + i + "]: analytic " + analytic + " vs finite difference " + numeric + " (tolerance "
            + tol + ")");
      }
    }
  }
}
