package io.kiln.runtime.gemm;

/**
 * The row strides of a GEMM's three stored matrices, for operands that are not packed (e.g. a few
 * columns of a wider matrix). Build once and reuse: a call then allocates nothing. A component of
 * 0 means "packed": that operand's stride is its stored row width ({@link #PACKED} for all three).
 */
public record LeadingDimensions(int a, int b, int c) {
  /** Every operand packed: the strides follow from the layout and the sizes. */
  public static final LeadingDimensions PACKED = new LeadingDimensions(0, 0, 0);

  public LeadingDimensions {
    if (a < 0 || b < 0 || c < 0) {
      throw new IllegalArgumentException("leading dimensions must be positive (or 0 for packed), got a=" + a
          + " b=" + b + " c=" + c);
    }
  }

  /** A's stride: as given, or the width of A as stored ({@code k}, or {@code m} for TN). */
  public int lda(Layout layout, int m, int k) {
    return a != 0 ? a : layout == Layout.TN ? m : k;
  }

  /** B's stride: as given, or the width of B as stored ({@code n}, or {@code k} for NT). */
  public int ldb(Layout layout, int n, int k) {
    return b != 0 ? b : layout == Layout.NT ? k : n;
  }

  /** C's stride: as given, or {@code n}. */
  public int ldc(int n) {
    return c != 0 ? c : n;
  }
}
