package io.kiln.runtime.gemm;

import java.util.Objects;

/**
 * Vector-agnostic pieces of the blocked GEMM: argument checks and the fixed work partition. Every
 * block size here depends only on the problem shape and the micro-tile (never on the thread
 * count), which is what makes results bitwise identical whatever {@code Parallelism.threads()}.
 */
public final class GemmBlocking {
  private GemmBlocking() {}

  /** Validates a GEMM call's sizes, leading dimensions ({@code ld} resolved) and array bounds; throws with a clear message. */
  public static void check(Layout layout, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, Epilogue ep, LeadingDimensions ld) {
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(ep, "epilogue");
    Objects.requireNonNull(ld, "leading dimensions");
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("negative GEMM size m=" + m + " n=" + n + " k=" + k);
    }
    if (m == 0 || n == 0) {
      return;
    }
    // op(A) is m×k; stored m×k (NN, NT) or k×m (TN)
    int aRows = layout == Layout.TN ? k : m;
    int aCols = layout == Layout.TN ? m : k;
    int bRows = layout == Layout.NT ? n : k;
    int bCols = layout == Layout.NT ? k : n;
    if (k > 0) {
      checkMatrix("A", a, aOff, ld.lda(layout, m, k), aRows, aCols);
      checkMatrix("B", b, bOff, ld.ldb(layout, n, k), bRows, bCols);
    }
    checkMatrix("C", c, cOff, ld.ldc(n), m, n);
    switch (ep.bias()) {
      case PER_ROW -> checkRange("bias", ep.biasData(), ep.biasOffset(), m);
      case PER_COLUMN -> checkRange("bias", ep.biasData(), ep.biasOffset(), n);
      case NONE -> { }
    }
  }

  private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
    Objects.requireNonNull(x, name);
    if (ld < cols) {
      throw new IllegalArgumentException(name + ": leading dimension " + ld + " < row width " + cols);
    }
    long last = (long) off + (long) (rows - 1) * ld + cols;
    if (off < 0 || last > x.length) {
      throw new IndexOutOfBoundsException(name + ": " + rows + "×" + cols + " at offset " + off + " with ld " + ld
          + " needs " + last + " elements but the array has " + x.length);
    }
  }

  private static void checkRange(String name, float[] x, int off, int len) {
    if (off < 0 || (long) off + len > x.length) {
      throw new IndexOutOfBoundsException(name + ": " + len + " elements at offset " + off + " but the array has " + x.length);
    }
  }

  /** Ceiling division for non-negative ints. */
  public static int ceilDiv(int x, int y) {
    return (x + y - 1) / y;
  }

  /** {@code x} rounded up to a multiple of {@code y}. */
  public static int roundUp(int x, int y) {
    return ceilDiv(x, y) * y;
  }

  /**
   * An even split of {@code total} into blocks of at most {@code max}, each a multiple of
   * {@code unit} (except the last): returns the block size.
   */
  public static int evenBlock(int total, int max, int unit) {
    int blocks = ceilDiv(total, max);
    return Math.min(roundUp(ceilDiv(total, blocks), unit), roundUp(total, unit));
  }
}
