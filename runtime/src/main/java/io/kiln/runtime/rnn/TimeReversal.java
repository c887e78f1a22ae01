package io.kiln.runtime.rnn;

import io.kiln.runtime.Checks;

/**
 * Reverses a {@code [B, steps, features]} sequence along its time axis within the batch's current
 * {@code steps}: {@code y[b, t, :] = x[b, steps − 1 − t, :]}. The reverse direction of a
 * bidirectional recurrent layer reads its input this way and writes its output back the same way;
 * the reversal is its own transpose, so backward is the same call on the gradients ({@link #add}
 * when the gradient accumulates). Kiln has no per-sample lengths, so every sample reverses all
 * {@code steps} steps, as PyTorch does for an unpacked batch.
 */
public final class TimeReversal {
  private TimeReversal() {}

  /** {@code y[b, t, :] = x[b, steps − 1 − t, :]}; {@code x} and {@code y} must not overlap. */
  public static void reverse(int batch, int steps, int features, float[] x, int xOff, float[] y, int yOff) {
    check(batch, steps, features, x, xOff, y, yOff);
    for (int b = 0; b < batch; b++) {
      int sample = b * steps * features;
      for (int t = 0; t < steps; t++) {
        System.arraycopy(x, xOff + sample + (steps - 1 - t) * features, y, yOff + sample + t * features, features);
      }
    }
  }

  /** {@code y[b, t, :] += x[b, steps − 1 − t, :]}: the backward of a reversal whose input gradient accumulates. */
  public static void add(int batch, int steps, int features, float[] x, int xOff, float[] y, int yOff) {
    check(batch, steps, features, x, xOff, y, yOff);
    for (int b = 0; b < batch; b++) {
      int sample = b * steps * features;
      for (int t = 0; t < steps; t++) {
        int src = xOff + sample + (steps - 1 - t) * features;
        int dst = yOff + sample + t * features;
        for (int j = 0; j < features; j++) {
          y[dst + j] += x[src + j];
        }
      }
    }
  }

  private static void check(int batch, int steps, int features, float[] x, int xOff, float[] y, int yOff) {
    Checks.batchAndSteps(batch, steps);
    Checks.positive("features", features);
    long len = (long) batch * steps * features;
    Checks.range("x", x, xOff, len);
    Checks.range("y", y, yOff, len);
    // An in-place reversal would read steps it has already overwritten.
    if (x == y && xOff < yOff + len && yOff < xOff + len) {
      throw new IllegalArgumentException("a time reversal needs separate input and output but x [" + xOff + ", " + (xOff + len)
          + ") overlaps y [" + yOff + ", " + (yOff + len) + ")");
    }
  }
}
