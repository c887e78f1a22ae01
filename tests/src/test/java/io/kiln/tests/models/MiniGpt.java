package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Add;
import io.kiln.dsl.Block;
import io.kiln.dsl.BlockInput;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.LayerNorm;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Model;
import io.kiln.dsl.MultiHeadAttention;
import io.kiln.dsl.PositionEmbedding;
import io.kiln.dsl.Repeat;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;

/**
 * A two-block pre-norm causal Transformer in miniature (the tiny GPT's structure with a GELU
 * feed-forward), for gradient checks and the causality test.
 */
@Model(maxBatch = 3)
public abstract class MiniGpt {
  @Tokens(maxLength = 6, decoded = true)
  abstract IntTensor text();

  @Embedding(vocab = 7, dim = 8)
  abstract Tensor e(IntTensor text);

  @PositionEmbedding(maxLength = 8)
  abstract Tensor p(Tensor e);

  @Repeat(block = Layer.class, times = 2)
  abstract Tensor b(Tensor p);

  @LayerNorm
  abstract Tensor n(Tensor b);

  @Dense(units = 7)
  abstract Tensor o(Tensor n);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor o, @Labels IntTensor next);

  @Block
  abstract static class Layer {
    @BlockInput
    abstract Tensor x();

    @LayerNorm
    abstract Tensor norm1(Tensor x);

    @MultiHeadAttention(heads = 2, causal = true)
    abstract Tensor self_attn(Tensor norm1);

    @Add
    abstract Tensor r1(Tensor x, Tensor self_attn);

    @LayerNorm
    abstract Tensor norm2(Tensor r1);

    @Dense(units = 12, activation = Activation.GELU)
    abstract Tensor linear1(Tensor norm2);

    @Dense(units = 8)
    abstract Tensor linear2(Tensor linear1);

    @Add
    abstract Tensor r2(Tensor r1, Tensor linear2);
  }
}
