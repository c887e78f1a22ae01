package io.kiln.dsl;

/** How an {@link Attention} layer scores a query state {@code s} against a key state {@code h}. */
public enum Score {
  /** Luong's dot product {@code sᵀh}; query and keys must have the same width. */
  DOT,
  /** Luong's multiplicative score {@code sᵀWh}, with a learned {@code W [n, n]} ({@code weight}). */
  GENERAL,
  /**
   * Bahdanau's additive score {@code vᵀ tanh(W₁s + W₂h)}, with learned {@code W₁ [a, n]}
   * ({@code query.weight}), {@code W₂ [a, n]} ({@code key.weight}) and {@code v [a]} ({@code v}).
   */
  ADDITIVE
}
