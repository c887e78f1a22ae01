package io.kiln.runtime.cnn;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/** Shared helpers for the CNN kernel tests: seeded random data at an offset, tolerant comparisons. */
final class TestArrays {
  /** Every array is allocated with this many guard floats before and after the data. */
  static final int OFF = 5;

  private TestArrays() {}

  /** {@code n} gaussians (scaled) at offset {@link #OFF}, with NaN guards around them. */
  static float[] random(Random r, int n, double scale) {
    float[] a = new float[n + 2 * OFF];
    java.util.Arrays.fill(a, Float.NaN);
    for (int i = 0; i < n; i++) {
      a[OFF + i] = (float) (r.nextGaussian() * scale);
    }
    return a;
  }

  /** {@code n} zeros at offset {@link #OFF}, with NaN guards around them. */
  static float[] zeros(int n) {
    float[] a = new float[n + 2 * OFF];
    java.util.Arrays.fill(a, Float.NaN);
    java.util.Arrays.fill(a, OFF, OFF + n, 0f);
    return a;
  }

  /**
   * Asserts {@code |e − a| ≤ rel·max(|e|, scale)} element-wise over the whole arrays (guards included:
   * NaN equals NaN, so an untouched guard proves the offsets are honoured).
   */
  static void assertClose(String what, float[] expected, float[] actual, double rel, double scale) {
    if (expected.length != actual.length) {
      fail(what + ": length " + expected.length + " vs " + actual.length);
    }
    for (int i = 0; i < expected.length; i++) {
      assertClose(what + "[" + i + "]", expected[i], actual[i], rel, scale);
    }
  }

  static void assertClose(String what, double expected, double actual, double rel, double scale) {
    if (Double.isNaN(expected) && Double.isNaN(actual)) {
      return;
    }
    double tol = rel * Math.max(Math.abs(expected), scale);
    if (!(Math.abs(expected - actual) <= tol)) {
      fail(what + ": expected " + expected + " but was " + actual + " (tolerance " + tol + ")");
    }
  }

  /** {@code Σ r[i]·y[i]} over the data region, in double: a loss whose gradient with respect to y is r. */
  static double dot(float[] r, float[] y, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += (double) r[OFF + i] * y[OFF + i];
    }
    return s;
  }

  /**
   * Central differences of the double loss {@code Σ r·y} with respect to each of the {@code n} data
   * values of {@code p}, against the analytic gradient {@code grad} (both at offset {@link #OFF}).
   * {@code forward} recomputes {@code y} from the current parameters.
   */
  static void checkGradient(String name, float[] p, int n, float[] grad, Runnable forward, float[] r, float[] y,
      float h, double rel) {
    int outputs = y.length - 2 * OFF;
    for (int i = 0; i < n; i++) {
      float old = p[OFF + i];
      p[OFF + i] = old + h;
      forward.run();
      double plus = dot(r, y, outputs);
      p[OFF + i] = old - h;
      forward.run();
      double minus = dot(r, y, outputs);
      p[OFF + i] = old;
      // divide by the step actually taken in float
      double numeric = (plus - minus) / ((double) (old + h) - (double) (old - h));
      assertClose(name + "[" + i + "]", numeric, grad[OFF + i], rel, 1);
    }
    forward.run();
  }
}
