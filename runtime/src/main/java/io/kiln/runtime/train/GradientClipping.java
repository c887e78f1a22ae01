package io.kiln.runtime.train;

import java.util.Objects;

/**
 * Gradient clipping by global L2 norm ({@code torch.nn.utils.clip_grad_norm_}), the usual guard
 * against exploding gradients in backpropagation through time. The optimizers clip through
 * {@link #globalNorm} and {@link #factor}, folding the factor into their own update loop so the
 * gradients are never written; {@link #clipByGlobalNorm} scales an array in place for code that
 * clips outside an optimizer.
 *
 * <p>One policy for a non-finite norm (a NaN or ±∞ gradient): an {@link ArithmeticException}
 * that says nothing was changed. Scaling by {@code τ/NaN} would turn every weight into NaN, and
 * skipping the clip silently would hide the divergence from whoever did not check the gradients.
 */
public final class GradientClipping {
  private GradientClipping() {}

  /**
   * {@code ‖g[off .. off + n)‖₂}, accumulated in double in index order (so the same gradients give
   * the same norm bit for bit on every run, whatever the thread count).
   */
  public static double globalNorm(float[] g, int off, int n) {
    double sum = 0.0;
    for (int i = off; i < off + n; i++) {
      double x = g[i];
      sum += x * x;
    }
    return Math.sqrt(sum);
  }

  /** {@code ‖g[0 .. n)‖₂}; see {@link #globalNorm(float[], int, int)}. */
  static double globalNorm(float[] g, int n) {
    return globalNorm(g, 0, n);
  }

  /**
   * The factor {@code min(1, τ/norm)} that brings the gradient's norm down to τ, rounded once to
   * float; exactly {@code 1f} (so the update is bitwise the unclipped one) when {@code norm ≤ τ}.
   *
   * @param who the optimizer (or caller) named in the message
   * @throws ArithmeticException if {@code norm} is NaN or infinite: the caller has changed nothing
   */
  static float factor(String who, double norm, float tau) {
    if (!Double.isFinite(norm)) {
      throw new ArithmeticException(who + ": the global gradient norm is " + norm
          + ", so no parameter was changed; lower the learning rate or check the inputs and the loss");
    }
    return norm > tau ? (float) (tau / norm) : 1f;
  }

  /** As {@link #clipByGlobalNorm(float[], int, int, float)} over {@code grads[0 .. count)}. */
  public static double clipByGlobalNorm(float[] grads, int count, float maxNorm) {
    return clipByGlobalNorm(grads, 0, count, maxNorm);
  }

  /**
   * Scales {@code grads[off .. off + count)} by {@code maxNorm / norm} when their L2 norm exceeds
   * {@code maxNorm}, so it becomes {@code maxNorm} (to float rounding); leaves them unchanged
   * otherwise.
   *
   * @return the norm before clipping
   * @throws IllegalArgumentException if maxNorm is not a positive finite number or count is negative
   * @throws IndexOutOfBoundsException if the range is outside {@code grads}
   * @throws ArithmeticException if the norm is NaN or infinite; the gradients are left unchanged
   */
  public static double clipByGlobalNorm(float[] grads, int off, int count, float maxNorm) {
    if (!(maxNorm > 0f) || Float.isInfinite(maxNorm)) {
      throw new IllegalArgumentException("maxNorm must be a positive finite number but was " + maxNorm);
    }
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0 but was " + count);
    }
    Objects.checkFromIndexSize(off, count, Objects.requireNonNull(grads, "grads").length);
    double norm = globalNorm(grads, off, count);
    float scale = factor("clipByGlobalNorm", norm, maxNorm);
    if (scale != 1f) {
      for (int i = off; i < off + count; i++) {
        grads[i] *= scale;
      }
    }
    return norm;
  }
}
