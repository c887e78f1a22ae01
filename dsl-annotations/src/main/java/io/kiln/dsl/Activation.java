package io.kiln.dsl;

/** Element-wise activations a layer can apply to its output. */
public enum Activation {
  /** Identity. */
  NONE,
  /** {@code max(0, z)}. */
  RELU,
  /** {@code 1 / (1 + e^−z)}. */
  SIGMOID,
  /** {@code tanh(z)}. */
  TANH,
  /**
   * PyTorch's exact GELU, {@code ½z(1 + erf(z/√2))}. Its derivative needs {@code z}, so a layer
   * with GELU keeps its pre-activation for backward (one extra pass; the others are fused).
   */
  GELU,
  /**
   * The perceptron's step: 1 iff {@code z ≥ 0}, else 0. It has no useful derivative, so it may
   * only feed a {@link LossKind#PERCEPTRON} loss, which trains it with the perceptron rule.
   */
  STEP
}
