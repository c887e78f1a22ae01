package io.kiln.runtime.panama;

import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.simd.ElementwiseKernels;
import io.kiln.runtime.simd.KernelProvider;
import io.kiln.runtime.simd.PoolKernels;
import jdk.incubator.vector.FloatVector;

/**
 * The Vector API kernels. This package is the only code that imports
 * {@code jdk.incubator.vector}; {@link io.kiln.runtime.simd.Vectorization} loads this class by
 * name so nothing else links it.
 */
public final class PanamaKernelProvider implements KernelProvider {
  private final GemmKernel gemm = new PanamaGemm();
  private final ElementwiseKernels elementwise = new PanamaElementwise();
  private final PoolKernels pooling = new PanamaPooling();

  public PanamaKernelProvider() {}

  @Override
  public GemmKernel gemm() {
    return gemm;
  }

  @Override
  public ElementwiseKernels elementwise() {
    return elementwise;
  }

  @Override
  public PoolKernels pooling() {
    return pooling;
  }

  @Override
  public String name() {
    return "panama-" + FloatVector.SPECIES_PREFERRED.vectorBitSize();
  }
}
