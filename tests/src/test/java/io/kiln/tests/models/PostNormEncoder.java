package io.kiln.tests.models;

import io.kiln.dsl.Add;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.LayerNorm;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Model;
import io.kiln.dsl.MultiHeadAttention;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;

/**
 * A post-norm encoder layer without a mask: the residual add fused into the layer norm that
 * reads it, a three-way add, and a bidirectional (non-causal) multi-head attention.
 */
@Model(maxBatch = 3)
public abstract class PostNormEncoder {
  @Tokens(maxLength = 5)
  abstract IntTensor text();

  @Embedding(vocab = 5, dim = 6)
  abstract Tensor e(IntTensor text);

  @MultiHeadAttention(heads = 3)
  abstract Tensor attn(Tensor e);

  @Add
  abstract Tensor r1(Tensor e, Tensor attn);

  @LayerNorm(epsilon = 1e-3)
  abstract Tensor norm1(Tensor r1);

  @Dense(units = 6, activation = io.kiln.dsl.Activation.TANH)
  abstract Tensor ff(Tensor norm1);

  @Add
  abstract Tensor r2(Tensor norm1, Tensor ff, Tensor e);

  @Dense(units = 5)
  abstract Tensor o(Tensor r2);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor o, @Labels IntTensor next);
}
