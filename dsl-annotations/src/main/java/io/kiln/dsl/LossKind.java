package io.kiln.dsl;

/** The losses {@link Loss} offers; each is averaged over the batch. */
public enum LossKind {
  /**
   * Softmax over the last axis followed by categorical cross-entropy, fused with log-sum-exp.
   * Labels are class indices: an {@code IntTensor} of shape {@code [B]} with values in
   * {@code [0, classes)}.
   */
  SOFTMAX_CROSS_ENTROPY,
  /**
   * Sigmoid followed by binary cross-entropy, fused ({@code BCEWithLogits}). Labels are floats in
   * [0, 1] of the logits' shape.
   */
  SIGMOID_BINARY_CROSS_ENTROPY,
  /** Mean of {@code (y − t)²} over all elements. Labels are floats of the output's shape. */
  MEAN_SQUARED_ERROR,
  /**
   * The perceptron criterion. Its input must be a layer with {@link Activation#STEP}; training
   * with plain SGD at rate η then applies the rule {@code w += η(y − ŷ)x}, {@code b += η(y − ŷ)}
   * (per sample; batch means are averaged). The reported loss is the fraction misclassified.
   */
  PERCEPTRON
}
