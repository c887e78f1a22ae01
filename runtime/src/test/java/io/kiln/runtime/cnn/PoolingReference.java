package io.kiln.runtime.cnn;

/**
 * The scalar twin of {@link Pooling}: window loops written to be read, the oracle the fast kernels
 * are tested against. Same arguments and accumulation rules as {@link Pooling}.
 *
 * <p>The max of a window is its <em>first</em> position (row-major) holding the largest value, a NaN
 * counting as larger than everything (so NaN propagates, as in PyTorch).
 */
public final class PoolingReference {
  private PoolingReference() {}

  /** The index (into x) of the first max of the window whose top-left corner is {@code base}. */
  static int argmax(PoolGeometry g, float[] x, int base) {
    int best = base;
    for (int i = 0; i < g.windowHeight(); i++) {
      for (int j = 0; j < g.windowWidth(); j++) {
        int p = base + i * g.width() + j;
        if (greater(x[p], x[best])) {
          best = p;
        }
      }
    }
    return best;
  }

  /** {@code v} replaces the current max {@code m}: strictly larger, or the first NaN. */
  static boolean greater(float v, float m) {
    return v > m || (v != v && m == m);
  }

  public static void maxForward(PoolGeometry g, int batch, float[] x, int xOff, float[] y, int yOff) {
    for (int p = 0; p < batch * g.channels(); p++) {
      for (int oh = 0; oh < g.outHeight(); oh++) {
        for (int ow = 0; ow < g.outWidth(); ow++) {
          int base = xOff + (p * g.height() + oh * g.strideHeight()) * g.width() + ow * g.strideWidth();
          y[yOff + (p * g.outHeight() + oh) * g.outWidth() + ow] = x[argmax(g, x, base)];
        }
      }
    }
  }

  public static void maxBackward(PoolGeometry g, int batch, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
      int dxOff, boolean accumulate) {
    double[] grad = new double[batch * g.inputSize()];
    for (int p = 0; p < batch * g.channels(); p++) {
      for (int oh = 0; oh < g.outHeight(); oh++) {
        for (int ow = 0; ow < g.outWidth(); ow++) {
          int base = xOff + (p * g.height() + oh * g.strideHeight()) * g.width() + ow * g.strideWidth();
          grad[argmax(g, x, base) - xOff] += dy[dyOff + (p * g.outHeight() + oh) * g.outWidth() + ow];
        }
      }
    }
    store(grad, dx, dxOff, accumulate);
  }

  public static void avgForward(PoolGeometry g, int batch, float[] x, int xOff, float[] y, int yOff) {
    for (int p = 0; p < batch * g.channels(); p++) {
      for (int oh = 0; oh < g.outHeight(); oh++) {
        for (int ow = 0; ow < g.outWidth(); ow++) {
          int base = xOff + (p * g.height() + oh * g.strideHeight()) * g.width() + ow * g.strideWidth();
          double sum = 0;
          for (int i = 0; i < g.windowHeight(); i++) {
            for (int j = 0; j < g.windowWidth(); j++) {
              sum += x[base + i * g.width() + j];
            }
          }
          y[yOff + (p * g.outHeight() + oh) * g.outWidth() + ow] = (float) (sum / (g.windowHeight() * g.windowWidth()));
        }
      }
    }
  }

  public static void avgBackward(PoolGeometry g, int batch, float[] dy, int dyOff, float[] dx, int dxOff,
      boolean accumulate) {
    double[] grad = new double[batch * g.inputSize()];
    for (int p = 0; p < batch * g.channels(); p++) {
      for (int oh = 0; oh < g.outHeight(); oh++) {
        for (int ow = 0; ow < g.outWidth(); ow++) {
          int base = (p * g.height() + oh * g.strideHeight()) * g.width() + ow * g.strideWidth();
          double d = dy[dyOff + (p * g.outHeight() + oh) * g.outWidth() + ow] / (double) (g.windowHeight() * g.windowWidth());
          for (int i = 0; i < g.windowHeight(); i++) {
            for (int j = 0; j < g.windowWidth(); j++) {
              grad[base + i * g.width() + j] += d;
            }
          }
        }
      }
    }
    store(grad, dx, dxOff, accumulate);
  }

  /** maxpool(relu(x)), literally: ReLU into a copy, then {@link #maxForward}. */
  public static void reluMaxForward(PoolGeometry g, int batch, float[] x, int xOff, float[] y, int yOff) {
    float[] r = relu(x, xOff, batch * g.inputSize());
    maxForward(g, batch, r, 0, y, yOff);
  }

  /** The chain rule through {@link #reluMaxForward}: {@link #maxBackward} on relu(x), times relu'(x) = [x > 0]. */
  public static void reluMaxBackward(PoolGeometry g, int batch, float[] x, int xOff, float[] dy, int dyOff,
      float[] dx, int dxOff, boolean accumulate) {
    int n = batch * g.inputSize();
    float[] r = relu(x, xOff, n);
    float[] dr = new float[n];
    maxBackward(g, batch, r, 0, dy, dyOff, dr, 0, false);
    for (int i = 0; i < n; i++) {
      float d = x[xOff + i] > 0f ? dr[i] : 0f;
      dx[dxOff + i] = (accumulate ? dx[dxOff + i] : 0f) + d;
    }
  }

  private static float[] relu(float[] x, int xOff, int n) {
    float[] r = new float[n];
    for (int i = 0; i < n; i++) {
      float v = x[xOff + i];
      r[i] = v != v ? v : Math.max(v, 0f);
    }
    return r;
  }

  private static void store(double[] grad, float[] dx, int dxOff, boolean accumulate) {
    for (int i = 0; i < grad.length; i++) {
      dx[dxOff + i] = (accumulate ? dx[dxOff + i] : 0f) + (float) grad[i];
    }
  }
}
