package io.kiln.processor.grad;

import io.kiln.dsl.Activation;
import io.kiln.dsl.LossKind;
import java.util.List;

/**
 * One step of the backward pass, derived from a forward node's rule. Gradients of node outputs are
 * written by the first step that produces them and accumulated ({@code +=}) by later ones;
 * parameter gradients always accumulate (the slab is zeroed before each step).
 */
public sealed interface BackwardOp {
  /** The forward node whose rule produced this step. */
  String node();

  /** {@code d input = ∂loss/∂input}, e.g. {@code softmax − onehot} for cross-entropy. */
  record LossGrad(String node, LossKind kind, String input) implements BackwardOp {}

  /** {@code dZ = dY ⊙ f'(Y)}, in place on {@code dY}; reads the saved output Y. */
  record ActivationGrad(String node, Activation activation) implements BackwardOp {}

  /** {@code d bias += Σ_batch dZ}. */
  record BiasGrad(String node) implements BackwardOp {}

  /** {@code d weight += dZᵀ · X}; reads the saved input X. */
  record WeightGrad(String node, String input) implements BackwardOp {}

  /** {@code d input (+)= dZ · W}; {@code accumulate} when another consumer already wrote it. */
  record InputGrad(String node, String input, boolean accumulate) implements BackwardOp {}

  /**
   * The whole backward of a convolution: {@code d weight += dZ · colsᵀ}, {@code d bias += Σ dZ}, and
   * when {@code inputGrad}, {@code d input (+)= col2im(Wᵀ · dZ)}; reads the saved input.
   */
  record ConvGrad(String node, String input, boolean inputGrad, boolean accumulate) implements BackwardOp {}

  /** Routes the gradient back through a pooling window; max pooling re-reads the saved input. */
  record PoolGrad(String node, String input, boolean max, boolean accumulate) implements BackwardOp {}

  /** {@code d input (+)= dY ⊙ mask}, the mask kept from the forward pass. */
  record DropoutGrad(String node, String input, boolean accumulate) implements BackwardOp {}

  /**
   * Batch-norm backward: {@code d weight += Σ dY·x̂}, {@code d bias += Σ dY}, and when
   * {@code inputGrad} the input gradient; reads the saved input and batch statistics.
   */
  record BatchNormGrad(String node, String input, boolean inputGrad, boolean accumulate) implements BackwardOp {}

  /** {@code d weight[id] += dY} for every position's token id (ids get no gradient). */
  record EmbeddingGrad(String node) implements BackwardOp {}

  /**
   * Backpropagation through time of a recurrent layer: all weight and bias gradients, and when
   * {@code inputGrad} the input sequence's gradient; reads the saved input and the forward workspace.
   */
  record RecurrentGrad(String node, String input, boolean inputGrad, boolean accumulate) implements BackwardOp {}

  /** Where one input's gradient goes: written ({@code =}) or, when another step wrote it first, added. */
  record Route(String input, boolean accumulate) {}

  /**
   * Attention backward: the score weights' gradients, and the decoder states' ({@code query}) and
   * encoder states' ({@code keys}) gradients for the routes given (null when not needed); reads
   * both inputs and the forward workspace.
   */
  record AttentionGrad(String node, Route query, Route keys) implements BackwardOp {}

  /** {@code d input_i (+)= dY[..., slice i]} for each routed input. */
  record ConcatGrad(String node, List<Route> routes) implements BackwardOp {}

  /** {@code d input_i (+)= dY} for each routed input. */
  record AddGrad(String node, List<Route> routes) implements BackwardOp {}

  /** Layer-norm backward: {@code d weight}, {@code d bias}, and the input's gradient when routed. */
  record LayerNormGrad(String node, Route route) implements BackwardOp {}

  /** Multi-head attention backward: projection gradients, and the input's when routed. */
  record MultiHeadGrad(String node, Route route) implements BackwardOp {}

  /** {@code d P[t] += Σ_batch dY[t]}, and {@code d input (+)= dY} when routed. */
  record PositionGrad(String node, Route route) implements BackwardOp {}
}
