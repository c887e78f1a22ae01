package io.kiln.runtime.gemm;

import io.kiln.runtime.simd.Vectorization;

/**
 * The GEMM entry point for generated code and other kernels: delegates to the kernel chosen once at
 * start-up ({@link Vectorization#provider()}), the Vector API one when {@code jdk.incubator.vector}
 * is present. Parallel over {@link io.kiln.runtime.Parallelism#threads()} threads with results that
 * do not depend on the thread count.
 */
public final class Gemm {
  private static final GemmKernel KERNEL = Vectorization.provider().gemm();

  private Gemm() {}

  /** See {@link GemmKernel#gemm}. */
  public static void gemm(Layout layout, int m, int n, int k,
      float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc,
      Epilogue epilogue) {
    KERNEL.gemm(layout, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, epilogue);
  }

  /** The kernel {@link #gemm} delegates to. */
  public static GemmKernel kernel() {
    return KERNEL;
  }
}
