package io.kiln.runtime.panama;

import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.gemm.ScalarGemm;

/** PLACEHOLDER until the register-blocked Vector API GEMM lands: delegates to the scalar twin. */
final class PanamaGemm implements GemmKernel {
  private final ScalarGemm scalar = new ScalarGemm();

  @Override
  public void gemm(Layout layout, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, Epilogue epilogue) {
    scalar.gemm(layout, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, epilogue);
  }
}
