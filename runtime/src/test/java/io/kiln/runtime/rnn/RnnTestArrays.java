package io.kiln.runtime.rnn;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;

/** Shared helpers for the recurrent kernel tests: seeded data at an offset with NaN guards, tolerant comparisons. */
final class RnnTestArrays {
  /** Every array is allocated with this many guard floats before and after the data. */
  static final int OFF = 3;

  private RnnTestArrays() {}

  /** {@code n} gaussians × scale at {@link #OFF}, NaN guards around them. */
  static float[] random(Random r, int n, double scale) {
    float[] a = guarded(n);
    for (int i = 0; i < n; i++) {
      a[OFF + i] = (float) (r.nextGaussian() * scale);
    }
    return a;
  }

  /** {@code n} zeros at {@link #OFF}, NaN guards around them. */
  static float[] zeros(int n) {
    float[] a = guarded(n);
    Arrays.fill(a, OFF, OFF + n, 0f);
    return a;
  }

  /** All NaN (guards and data): a buffer that must be written before it is read. */
  static float[] nans(int n) {
    return guarded(n);
  }

  private static float[] guarded(int n) {
    float[] a = new float[n + 2 * OFF];
    Arrays.fill(a, Float.NaN);
    return a;
  }

  static float[] copy(float[] a) {
    return a == null ? null : a.clone();
  }

  /**
   * Asserts {@code |e − a| ≤ rel·(|e| + rms(e))} over the whole arrays; guards included (NaN equals
   * NaN, so untouched guards prove the offsets are honoured).
   */
  static void assertClose(String what, float[] expected, float[] actual, double rel) {
    if (expected == null && actual == null) {
      return;
    }
    if (expected.length != actual.length) {
      fail(what + ": length " + expected.length + " vs " + actual.length);
    }
    double sq = 0;
    int finite = 0;
    for (float e : expected) {
      if (!Float.isNaN(e)) {
        sq += (double) e * e;
        finite++;
      }
    }
    double rms = finite == 0 ? 0 : Math.sqrt(sq / finite);
    for (int i = 0; i < expected.length; i++) {
      float e = expected[i];
      float a = actual[i];
      if (Float.isNaN(e) || Float.isNaN(a)) {
        if (Float.isNaN(e) != Float.isNaN(a)) {
          fail(what + "[" + i + "]: expected " + e + " but was " + a);
        }
        continue;
      }
      double tol = rel * (Math.abs(e) + rms) + 1e-30;
      if (!(Math.abs(e - a) <= tol)) {
        fail(what + "[" + i + "]: expected " + e + " but was " + a + " (tolerance " + tol + ")");
      }
    }
  }

  /** {@code Σ r[i]·y[i]} over n data values at {@link #OFF}, in double. */
  static double dot(float[] r, float[] y, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += (double) r[OFF + i] * y[OFF + i];
    }
    return s;
  }
}
