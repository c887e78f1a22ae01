package io.kiln.runtime.simd;

import io.kiln.runtime.gemm.GemmKernel;

/** The scalar twins: the test oracle, and the fallback without {@code jdk.incubator.vector}. */
public final class ScalarKernelProvider implements KernelProvider {
  static final ScalarKernelProvider INSTANCE = new ScalarKernelProvider();

  private final GemmKernel gemm = new ScalarGemm();
  private final ElementwiseKernels elementwise = new ScalarElementwise();
  private final RecurrentCells recurrentCells = new ScalarRecurrentCells();
  private final AttentionPrimitives attention = new ScalarAttentionPrimitives();

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
  public PoolKernels pooling() {
    return PoolKernels.SCALAR;
  }

  @Override
  public RecurrentCells recurrentCells() {
    return recurrentCells;
  }

  @Override
  public AttentionPrimitives attention() {
    return attention;
  }

  @Override
  public LayerNormKernels layerNorm() {
    return LayerNormKernels.SCALAR;
  }

  @Override
  public DirectConvolution directConvolution() {
    return DirectConvolution.SCALAR;
  }

  @Override
  public String name() {
    return "scalar";
  }
}
