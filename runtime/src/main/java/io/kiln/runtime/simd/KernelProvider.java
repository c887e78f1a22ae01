package io.kiln.runtime.simd;

import io.kiln.runtime.gemm.GemmKernel;

/**
 * One implementation of every kernel family: the scalar twins ({@link ScalarKernelProvider}) or the
 * Vector API ones ({@code io.kiln.runtime.panama.PanamaKernelProvider}). {@link Vectorization}
 * picks one once at start-up.
 */
public interface KernelProvider {
  /** Matrix products with epilogues. */
  GemmKernel gemm();

  /** Activations, bias gradients, losses. */
  ElementwiseKernels elementwise();

  /** Pooling plane kernels (default: the scalar twins). */
  default PoolKernels pooling() {
    return PoolKernels.SCALAR;
  }

  /** A short name for logs and benchmarks, e.g. {@code "scalar"} or {@code "panama-512"}. */
  String name();
}
