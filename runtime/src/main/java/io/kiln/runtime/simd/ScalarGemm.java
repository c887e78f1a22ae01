package io.kiln.runtime.simd;

import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmBlocking;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.gemm.LeadingDimensions;

/** The scalar twin of the GEMM: a plain triple loop, the oracle every fast GEMM is tested against. */
public final class ScalarGemm implements GemmKernel {
  @Override
  public void gemm(Layout layout, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, Epilogue ep, LeadingDimensions ld) {
    // the same clear messages as the Vector API GEMM, so the fallback fails the same way
    GemmBlocking.check(layout, m, n, k, a, aOff, b, bOff, c, cOff, ep, ld);
    int lda = ld.lda(layout, m, k);
    int ldb = ld.ldb(layout, n, k);
    int ldc = ld.ldc(n);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float sum = 0f;
        for (int p = 0; p < k; p++) {
          float av = layout == Layout.TN ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          float bv = layout == Layout.NT ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          sum += av * bv;
        }
        int ci = cOff + i * ldc + j;
        float v = ep.accumulate() ? c[ci] + sum : sum;
        switch (ep.bias()) {
          case PER_ROW -> v += ep.biasData()[ep.biasOffset() + i];
          case PER_COLUMN -> v += ep.biasData()[ep.biasOffset() + j];
          case NONE -> { }
        }
        c[ci] = ScalarElementwise.apply(ep.activation(), v);
      }
    }
  }
}
