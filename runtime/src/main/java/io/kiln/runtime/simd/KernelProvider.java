package io.kiln.runtime.simd;

import io.kiln.runtime.gemm.GemmKernel;

/**
 * One implementation of every kernel family: the scalar twins ({@link ScalarKernelProvider}) or the
 * Vector API ones ({@code io.kiln.runtime.panama.PanamaKernelProvider}). {@link Vectorization}
 * picks one once at start-up; every layer takes its kernels from that one provider, so a process
 * never mixes scalar and vector kernels.
 */
public interface KernelProvider {
  /** Matrix products with epilogues. */
  GemmKernel gemm();

  /** Activations, bias gradients, losses. */
  ElementwiseKernels elementwise();

  /** Pooling plane kernels. */
  PoolKernels pooling();

  /** The fused per-step passes of the recurrent layers. */
  RecurrentCells recurrentCells();

  /** The inner loops of multi-head attention. */
  AttentionPrimitives attention();

  /** The row passes of layer normalization. */
  LayerNormKernels layerNorm();

  /** The direct convolution of one sample (stride 1, few filters). */
  DirectConvolution directConvolution();

  /** A short name for logs and benchmarks, e.g. {@code "scalar"} or {@code "panama-512"}. */
  String name();
}
