package io.kiln.runtime.gemm;

/**
 * {@code C = op(A) · op(B)}, optionally {@code + C}, then an epilogue (bias, activation), for
 * float32 row-major matrices at offsets {@code aOff}, {@code bOff}, {@code cOff} of their arrays.
 * Operands are packed (each row right after the previous one) unless {@link LeadingDimensions}
 * say otherwise. Implementations must give bitwise identical results whatever the thread count.
 */
public interface GemmKernel {
  /** The product of packed operands: {@code op(A)} is {@code m×k}, {@code op(B)} {@code k×n}, C {@code m×n}. */
  default void gemm(Layout layout, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, Epilogue epilogue) {
    gemm(layout, m, n, k, a, aOff, b, bOff, c, cOff, epilogue, LeadingDimensions.PACKED);
  }

  /** The product of operands stored with the row strides {@code ld}. */
  void gemm(Layout layout, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, Epilogue epilogue, LeadingDimensions ld);
}
