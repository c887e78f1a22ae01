package io.kiln.runtime.gemm;

/**
 * Which operands a GEMM reads transposed. All matrices are row-major; {@code N} reads the operand
 * as stored, {@code T} reads its transpose.
 *
 * <ul>
 *   <li>{@code NN}: {@code C[m×n] = A[m×k] · B[k×n]}
 *   <li>{@code NT}: {@code C[m×n] = A[m×k] · B[n×k]ᵀ} (dense forward: x · Wᵀ)
 *   <li>{@code TN}: {@code C[m×n] = A[k×m]ᵀ · B[k×n]} (weight gradient: dYᵀ · X)
 * </ul>
 */
public enum Layout {
  NN,
  NT,
  TN
}
