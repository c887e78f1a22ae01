package io.kiln.runtime.panama;

import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.simd.AttentionPrimitives;
import io.kiln.runtime.simd.DirectConvolution;
import io.kiln.runtime.simd.ElementwiseKernels;
import io.kiln.runtime.simd.KernelProvider;
import io.kiln.runtime.simd.LayerNormKernels;
import io.kiln.runtime.simd.PoolKernels;
import io.kiln.runtime.simd.RecurrentCells;
import jdk.incubator.vector.FloatVector;

/**
 * The Vector API kernels. This package is the only code that imports
 * {@code jdk.incubator.vector}, and this class its only public one: {@link
 * io.kiln.runtime.simd.Vectorization} loads it by name so nothing else links the incubator module.
 */
public final class PanamaKernelProvider implements KernelProvider {
  private final GemmKernel gemm = new PanamaGemm();
  private final ElementwiseKernels elementwise = new PanamaElementwise();
  private final PoolKernels pooling = new PanamaPooling();
  private final RecurrentCells recurrentCells = new PanamaRecurrentCells();
  private final AttentionPrimitives attention = new PanamaAttention();
  private final DirectConvolution directConvolution = new PanamaDirectConvolution();
  private final LayerNormKernels layerNorm = new PanamaLayerNorm();

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
  public RecurrentCells recurrentCells() {
    return recurrentCells;
  }

  @Override
  public AttentionPrimitives attention() {
    return attention;
  }

  @Override
  public LayerNormKernels layerNorm() {
    return layerNorm;
  }

  @Override
  public DirectConvolution directConvolution() {
    return directConvolution;
  }

  @Override
  public String name() {
    return "panama-" + FloatVector.SPECIES_PREFERRED.vectorBitSize();
  }
}
