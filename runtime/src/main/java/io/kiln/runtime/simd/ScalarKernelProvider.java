package io.kiln.runtime.simd;

import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.ScalarGemm;

/** The scalar twins: the test oracle, and the fallback without {@code jdk.incubator.vector}. */
public final class ScalarKernelProvider implements KernelProvider {
  static final ScalarKernelProvider INSTANCE = new ScalarKernelProvider();

  private final GemmKernel gemm = new ScalarGemm();
  private final ElementwiseKernels elementwise = new ScalarElementwise();

  private ScalarKernelProvider() {}

  @Override
  public GemmKernel gemm() {
    return gemm;
  }

  @Override
  public ElementwiseKernels elementwise() {
    return elementwise;
  }

  @Override
  public String name() {
    return "scalar";
  }
}
