package io.kiln.runtime.cnn;

import java.util.Arrays;

/**
 * Max and average pooling over NCHW float32 tensors, forward and backward, plus a fused
 * ReLU + max-pool. Plain loops over each {@code H × W} plane with the window offsets hoisted (the
 * 2×2 stride-2 pool, the common case, has its own loop); the oracle is {@link PoolingReference}.
 *
 * <p>The max of a window is its <em>first</em> position (row-major) holding the largest value, a NaN
 * counting as larger than everything (so a NaN propagates, as in PyTorch). Backward recomputes that
 * position from x, so no index buffer is kept.
 */
public final class Pooling {
  private Pooling() {}

  /** {@code y[b][c][oh][ow] = max} of the window at {@code (oh·S, ow·S)}. */
  public static void maxForward(PoolGeometry g, int batch, float[] x, int xOff, float[] y, int yOff) {
    check(g, batch, "x", x, xOff, "y", y, yOff);
    pool(g, batch, x, xOff, y, yOff, false);
  }

  /**
   * {@code dx} (=, or += when {@code accumulate}) routes each {@code dy} to the first position
   * (row-major within the window) that holds the window's max in {@code x}; positions in no window
   * get 0 (when not accumulating); overlapping windows (stride &lt; size) add up.
   */
  public static void maxBackward(PoolGeometry g, int batch, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
      int dxOff, boolean accumulate) {
    check(g, batch, "x", x, xOff, "dy", dy, dyOff);
    CnnChecks.range("dx", dx, dxOff, (long) batch * g.inputSize());
    route(g, batch, x, xOff, dy, dyOff, dx, dxOff, accumulate, false);
  }

  /** {@code y} = the mean of each window. */
  public static void avgForward(PoolGeometry g, int batch, float[] x, int xOff, float[] y, int yOff) {
    check(g, batch, "x", x, xOff, "y", y, yOff);
    final int h = g.height();
    final int w = g.width();
    final int k = g.size();
    final int s = g.stride();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    final float inv = 1f / (k * k);
    for (int p = 0; p < batch * g.channels(); p++) {
      int in = xOff + p * h * w;
      int out = yOff + p * oh * ow;
      for (int i = 0; i < oh; i++) {
        int row = in + i * s * w;
        for (int j = 0; j < ow; j++) {
          int base = row + j * s;
          float sum = 0f;
          for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
              sum += x[base + a * w + b];
            }
          }
          y[out + i * ow + j] = sum * inv;
        }
      }
    }
  }

  /** {@code dx} (=, or += when {@code accumulate}) gets {@code dy / size²} at every position of each window. */
  public static void avgBackward(PoolGeometry g, int batch, float[] dy, int dyOff, float[] dx, int dxOff,
      boolean accumulate) {
    CnnChecks.batch(batch);
    CnnChecks.range("dy", dy, dyOff, (long) batch * g.outputSize());
    CnnChecks.range("dx", dx, dxOff, (long) batch * g.inputSize());
    final int h = g.height();
    final int w = g.width();
    final int k = g.size();
    final int s = g.stride();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    final float inv = 1f / (k * k);
    for (int p = 0; p < batch * g.channels(); p++) {
      int in = dxOff + p * h * w;
      int out = dyOff + p * oh * ow;
      if (!accumulate) {
        Arrays.fill(dx, in, in + h * w, 0f);
      }
      for (int i = 0; i < oh; i++) {
        int row = in + i * s * w;
        for (int j = 0; j < ow; j++) {
          int base = row + j * s;
          float d = dy[out + i * ow + j] * inv;
          for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
              dx[base + a * w + b] += d;
            }
          }
        }
      }
    }
  }

  /**
   * Fused ReLU + max-pool: {@code y = maxpool(relu(x))} where {@code x} is the pre-activation (e.g. a
   * convolution's output computed with {@code Activation.NONE}). Since ReLU is monotonic this equals
   * {@code relu(maxpool(x))}, computed in one pass without storing {@code relu(x)}.
   */
  public static void reluMaxForward(PoolGeometry g, int batch, float[] x, int xOff, float[] y, int yOff) {
    check(g, batch, "x", x, xOff, "y", y, yOff);
    pool(g, batch, x, xOff, y, yOff, true);
  }

  /**
   * Backward of {@link #reluMaxForward}: {@code dx} (=, or += when {@code accumulate}) is the gradient
   * with respect to the pre-activation {@code x}. Each {@code dy} goes to the window's first max in x
   * if that max is {@code > 0}, else nowhere (ReLU's derivative is 0 there, PyTorch's convention at 0).
   */
  public static void reluMaxBackward(PoolGeometry g, int batch, float[] x, int xOff, float[] dy, int dyOff,
      float[] dx, int dxOff, boolean accumulate) {
    check(g, batch, "x", x, xOff, "dy", dy, dyOff);
    CnnChecks.range("dx", dx, dxOff, (long) batch * g.inputSize());
    route(g, batch, x, xOff, dy, dyOff, dx, dxOff, accumulate, true);
  }

  // ---------------------------------------------------------------------------------------------

  private static void check(PoolGeometry g, int batch, String in, float[] x, int xOff, String out, float[] y, int yOff) {
    CnnChecks.batch(batch);
    CnnChecks.range(in, x, xOff, (long) batch * g.inputSize());
    CnnChecks.range(out, y, yOff, (long) batch * g.outputSize());
  }

  /** Math.max: a NaN wins, so it propagates through the pool as in PyTorch. */
  private static float max(float a, float b) {
    return Math.max(a, b);
  }

  private static void pool(PoolGeometry g, int batch, float[] x, int xOff, float[] y, int yOff, boolean relu) {
    final int h = g.height();
    final int w = g.width();
    final int k = g.size();
    final int s = g.stride();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    final float floor = relu ? 0f : Float.NEGATIVE_INFINITY;
    for (int p = 0; p < batch * g.channels(); p++) {
      int in = xOff + p * h * w;
      int out = yOff + p * oh * ow;
      if (k == 2 && s == 2) {
        for (int i = 0; i < oh; i++) {
          int r0 = in + 2 * i * w;
          int r1 = r0 + w;
          int o = out + i * ow;
          for (int j = 0; j < ow; j++) {
            float m = max(max(x[r0 + 2 * j], x[r0 + 2 * j + 1]), max(x[r1 + 2 * j], x[r1 + 2 * j + 1]));
            y[o + j] = max(m, floor);
          }
        }
      } else {
        for (int i = 0; i < oh; i++) {
          int row = in + i * s * w;
          for (int j = 0; j < ow; j++) {
            int base = row + j * s;
            float m = floor;
            for (int a = 0; a < k; a++) {
              for (int b = 0; b < k; b++) {
                m = max(m, x[base + a * w + b]);
              }
            }
            y[out + i * ow + j] = m;
          }
        }
      }
    }
  }

  private static void route(PoolGeometry g, int batch, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
      int dxOff, boolean accumulate, boolean relu) {
    final int h = g.height();
    final int w = g.width();
    final int k = g.size();
    final int s = g.stride();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    for (int p = 0; p < batch * g.channels(); p++) {
      int in = xOff + p * h * w;
      int gin = dxOff + p * h * w;
      int out = dyOff + p * oh * ow;
      if (!accumulate) {
        Arrays.fill(dx, gin, gin + h * w, 0f);
      }
      for (int i = 0; i < oh; i++) {
        int row = i * s * w;
        for (int j = 0; j < ow; j++) {
          int base = row + j * s;
          int best = base;
          float m = x[in + base];
          for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
              int q = base + a * w + b;
              float v = x[in + q];
              if (v > m || (v != v && m == m)) {
                m = v;
                best = q;
              }
            }
          }
          if (!relu || m > 0f) {
            dx[gin + best] += dy[out + i * ow + j];
          }
        }
      }
    }
  }
}
