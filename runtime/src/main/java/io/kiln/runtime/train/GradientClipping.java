package io.kiln.runtime.train;

/**
 * Clipping by global norm, shared by the optimizers: the norm is one read-only pass over the
 * gradients, and the factor it gives is folded into the optimizer's own update loop, so the
 * gradients are never written.
 */
final class GradientClipping {
  private GradientClipping() {}

  /**
   * {@code ‖g[0 .. n)‖₂}, accumulated in double in index order (so the same gradients give the
   * same norm bit for bit on every run).
   */
  static double globalNorm(float[] g, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
      double x = g[i];
      sum += x * x;
    }
    return Math.sqrt(sum);
  }

  /**
   * The factor {@code min(1, τ/norm)} that brings the gradient's norm down to τ, rounded once to
   * float; exactly {@code 1f} (so the update is bitwise the unclipped one) when {@code norm ≤ τ}.
   *
   * @throws ArithmeticException if {@code norm} is NaN or infinite: the caller has changed nothing
   */
  static float factor(String optimizer, double norm, float tau) {
    if (!Double.isFinite(norm)) {
      throw new ArithmeticException(optimizer + ": the global gradient norm is " + norm
          + ", so no parameter was changed; lower the learning rate or check the inputs and the loss");
    }
    return norm > tau ? (float) (tau / norm) : 1f;
  }
}
