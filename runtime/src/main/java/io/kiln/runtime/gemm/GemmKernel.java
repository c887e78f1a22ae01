package io.kiln.runtime.gemm;

/**
 * {@code C = op(A) · op(B)}, optionally {@code + C}, then an epilogue (bias, activation), for
 * float32 row-major matrices with leading dimensions {@code lda}, {@code ldb}, {@code ldc}.
 * Implementations must give bitwise identical results whatever the thread count.
 */
public interface GemmKernel {
  void gemm(Layout layout, int m, int n, int k,
      float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc,
      Epilogue epilogue);
}
