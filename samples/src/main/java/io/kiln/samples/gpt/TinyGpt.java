package io.kiln.samples.gpt;

import static io.kiln.dsl.Activation.RELU;
import static io.kiln.dsl.LossKind.SOFTMAX_CROSS_ENTROPY;

import io.kiln.dsl.Add;
import io.kiln.dsl.Block;
import io.kiln.dsl.BlockInput;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.LayerNorm;
import io.kiln.dsl.Loss;
import io.kiln.dsl.Model;
import io.kiln.dsl.MultiHeadAttention;
import io.kiln.dsl.PositionEmbedding;
import io.kiln.dsl.Repeat;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;

/**
 * A tiny GPT, as torch_bench.py's TinyGpt: 96 characters embedded in 128 dimensions plus a learned
 * position embedding (64 positions), two pre-norm Transformer layers (4 causal heads, feed-forward
 * 512 with ReLU; PyTorch's {@code nn.TransformerEncoderLayer(128, 4, 512, dropout=0,
 * norm_first=True)}), a final layer norm and a dense layer scoring the next character.
 *
 * <p>Parameter names are PyTorch's state_dict names ({@code b.0.self_attn.in_proj_weight}, …)
 * except the position table: PyTorch's bare parameter {@code p} is Kiln's {@code p.weight}.
 */
@Model(maxBatch = 32)
public abstract class TinyGpt {
  @Tokens(maxLength = 64, decoded = true)
  abstract IntTensor text();

  @Embedding(vocab = 96, dim = 128)
  abstract Tensor e(IntTensor text);

  @PositionEmbedding
  abstract Tensor p(Tensor e);

  @Repeat(block = Layer.class, times = 2)
  abstract Tensor b(Tensor p);

  @LayerNorm
  abstract Tensor n(Tensor b);

  @Dense(units = 96)
  abstract Tensor o(Tensor n);

  @Loss(SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor o, @Labels IntTensor next);

  /** {@code nn.TransformerEncoderLayer(128, 4, 512, dropout=0, norm_first=True)}, ReLU, causal. */
  @Block
  abstract static class Layer {
    @BlockInput
    abstract Tensor x();

    @LayerNorm
    abstract Tensor norm1(Tensor x);

    @MultiHeadAttention(heads = 4, causal = true)
    abstract Tensor self_attn(Tensor norm1);

    @Add
    abstract Tensor r1(Tensor x, Tensor self_attn);

    @LayerNorm
    abstract Tensor norm2(Tensor r1);

    @Dense(units = 512, activation = RELU)
    abstract Tensor linear1(Tensor norm2);

    @Dense(units = 128)
    abstract Tensor linear2(Tensor linear1);

    @Add
    abstract Tensor r2(Tensor r1, Tensor linear2);
  }
}
