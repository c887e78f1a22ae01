package io.kiln.runtime.rnn;

/**
 * Gradient clipping by global L2 norm ({@code torch.nn.utils.clip_grad_norm_}), the usual guard
 * against exploding gradients in backpropagation through time.
 */
public final class GradientClipping {
  private GradientClipping() {}

  /**
   * The L2 norm of {@code grads[0..count)}, accumulated in double; when it exceeds
   * {@code maxNorm} every gradient is scaled by {@code maxNorm / norm} so the norm becomes
   * {@code maxNorm} (to float rounding). A non-finite norm (a NaN or ∞ gradient) leaves the
   * gradients unchanged, so the non-finite check downstream still sees them.
   *
   * @return the norm before clipping
   * @throws IllegalArgumentException if maxNorm is not a positive finite number or count is out of range
   */
  public static double clipByGlobalNorm(float[] grads, int count, float maxNorm) {
    return clipByGlobalNorm(grads, 0, count, maxNorm);
  }

  /** As {@link #clipByGlobalNorm(float[], int, float)} over {@code grads[off .. off+count)}. */
  public static double clipByGlobalNorm(float[] grads, int off, int count, float maxNorm) {
    if (!(maxNorm > 0f) || Float.isInfinite(maxNorm)) {
      throw new IllegalArgumentException("maxNorm must be a positive finite number but was " + maxNorm);
    }
    RnnChecks.range("grads", grads, off, count);
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0 but was " + count);
    }
    double norm = Math.sqrt(sumOfSquares(grads, off, count));
    if (norm > maxNorm && Double.isFinite(norm)) {
      float scale = (float) (maxNorm / norm);
      for (int i = off; i < off + count; i++) {
        grads[i] *= scale;
      }
    }
    return norm;
  }

  /** Σ g², four double accumulators (the sum is independent of the thread count: one thread). */
  static double sumOfSquares(float[] a, int off, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      double a0 = a[off + i];
      double a1 = a[off + i + 1];
      double a2 = a[off + i + 2];
      double a3 = a[off + i + 3];
      s0 += a0 * a0;
      s1 += a1 * a1;
      s2 += a2 * a2;
      s3 += a3 * a3;
    }
    for (; i < n; i++) {
      double v = a[off + i];
      s0 += v * v;
    }
    return (s0 + s1) + (s2 + s3);
  }
}
