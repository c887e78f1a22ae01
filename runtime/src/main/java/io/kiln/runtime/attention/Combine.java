package io.kiln.runtime.attention;

import io.kiln.runtime.Checks;

/**
 * The joins of a network: concatenation along the feature axis ({@code @Concat}) and element-wise
 * sums ({@code @Add}, residual connections), with their backward. Memory-bound copies: plain loops
 * the JIT vectorizes; every element is touched once.
 */
public final class Combine {
  private Combine() {}

  /**
   * {@code y[r] = [a[r], b[r]]} for each of {@code rows} rows: copies {@code width} floats per row
   * of {@code x} into columns {@code [column, column + width)} of {@code y}, whose rows are
   * {@code total} wide. Call once per input.
   */
  public static void concatInto(int rows, int width, int total, int column, float[] x, int xOff, float[] y, int yOff) {
    Checks.range("x", x, xOff, (long) rows * width);
    Checks.range("y", y, yOff, (long) rows * total);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(x, xOff + r * width, y, yOff + r * total + column, width);
    }
  }

  /** {@code dx (+)= dy[:, column : column + width]}: one input's share of a concatenation's gradient. */
  public static void concatBackward(int rows, int width, int total, int column, float[] dy, int dyOff, float[] dx, int dxOff,
      boolean accumulate) {
    Checks.range("dy", dy, dyOff, (long) rows * total);
    Checks.range("dx", dx, dxOff, (long) rows * width);
    for (int r = 0; r < rows; r++) {
      int src = dyOff + r * total + column;
      int dst = dxOff + r * width;
      if (accumulate) {
        for (int j = 0; j < width; j++) {
          dx[dst + j] += dy[src + j];
        }
      } else {
        System.arraycopy(dy, src, dx, dst, width);
      }
    }
  }

  /** {@code y = a + b}, element-wise over {@code n} floats; y may alias a or b. */
  public static void add(int n, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff) {
    Checks.range("a", a, aOff, n);
    Checks.range("b", b, bOff, n);
    Checks.range("y", y, yOff, n);
    for (int i = 0; i < n; i++) {
      y[yOff + i] = a[aOff + i] + b[bOff + i];
    }
  }

  /** {@code y += x} over {@code n} floats. */
  public static void addInto(int n, float[] x, int xOff, float[] y, int yOff) {
    Checks.range("x", x, xOff, n);
    Checks.range("y", y, yOff, n);
    for (int i = 0; i < n; i++) {
      y[yOff + i] += x[xOff + i];
    }
  }

  /** {@code dx (+)= dy} over {@code n} floats: a sum passes its gradient to each input unchanged. */
  public static void passBack(int n, float[] dy, int dyOff, float[] dx, int dxOff, boolean accumulate) {
    if (accumulate) {
      addInto(n, dy, dyOff, dx, dxOff);
    } else {
      Checks.range("dy", dy, dyOff, n);
      Checks.range("dx", dx, dxOff, n);
      System.arraycopy(dy, dyOff, dx, dxOff, n);
    }
  }
}
