package io.kiln.runtime.simd;

/** Sums of floats carried in double, for the statistics of the normalization layers. */
public final class DoubleSum {
  private DoubleSum() {}

  /** {@code Σ a[off .. off + n)} in double, as four interleaved partial sums (one running sum is a chain of dependent adds). */
  public static double of(float[] a, int off, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += a[off + i];
      s1 += a[off + i + 1];
      s2 += a[off + i + 2];
      s3 += a[off + i + 3];
    }
    for (; i < n; i++) {
      s0 += a[off + i];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
