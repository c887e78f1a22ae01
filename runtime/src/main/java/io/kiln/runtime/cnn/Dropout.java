package io.kiln.runtime.cnn;

import io.kiln.runtime.Checks;
import io.kiln.runtime.init.Rng;
import java.util.Objects;

/**
 * Inverted dropout: in training each value is zeroed with probability {@code rate} and the survivors
 * are scaled by {@code 1/(1 − rate)}, so {@code E[y] = x} and evaluation is the identity (the caller
 * simply skips the layer). The mask holds the multiplier (0 or {@code 1/(1 − rate)}) for backward.
 */
public final class Dropout {
  private Dropout() {}

  /**
   * {@code mask[i] = 0} with probability {@code rate}, else {@code 1/(1 − rate)}, drawn from
   * {@code rng} (exactly one {@link Rng#nextFloat()} per element, in index order, whatever the rate,
   * so the same seed gives the same mask); {@code y = x·mask}. {@code y} may alias {@code x}.
   *
   * @param rate the drop probability, in {@code [0, 1)}
   */
  public static void forwardTrain(float rate, Rng rng, float[] x, int xOff, float[] y, int yOff, float[] mask,
      int maskOff, int n) {
    if (!(rate >= 0f && rate < 1f)) {
      throw new IllegalArgumentException("dropout rate must be in [0, 1) but was " + rate);
    }
    Objects.requireNonNull(rng, "rng");
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0 but was " + n);
    }
    Checks.range("x", x, xOff, n);
    Checks.range("y", y, yOff, n);
    Checks.range("mask", mask, maskOff, n);
    float keep = 1f / (1f - rate);
    for (int i = 0; i < n; i++) {
      mask[maskOff + i] = rng.nextFloat() < rate ? 0f : keep;
    }
    // a separate loop so that C2 vectorizes the multiply
    for (int i = 0; i < n; i++) {
      y[yOff + i] = x[xOff + i] * mask[maskOff + i];
    }
  }

  /** {@code dx} (=, or += when {@code accumulate}) {@code = dy·mask}. {@code dx} may alias {@code dy} when not accumulating. */
  public static void backward(float[] dy, int dyOff, float[] mask, int maskOff, float[] dx, int dxOff, int n,
      boolean accumulate) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0 but was " + n);
    }
    Checks.range("dy", dy, dyOff, n);
    Checks.range("mask", mask, maskOff, n);
    Checks.range("dx", dx, dxOff, n);
    if (accumulate) {
      for (int i = 0; i < n; i++) {
        dx[dxOff + i] += dy[dyOff + i] * mask[maskOff + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        dx[dxOff + i] = dy[dyOff + i] * mask[maskOff + i];
      }
    }
  }
}
