package io.kiln.samples.seq2seq;

import static io.kiln.dsl.LossKind.SOFTMAX_CROSS_ENTROPY;

import io.kiln.dsl.Attention;
import io.kiln.dsl.Concat;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.InitialState;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.Lstm;
import io.kiln.dsl.Model;
import io.kiln.dsl.Score;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;

/**
 * An LSTM encoder–decoder with dot-product (Luong) attention, as torch_bench.py's Seq2SeqAttn:
 * 32 tokens embedded in 32 dimensions, LSTM encoder and decoder of 128 units (the encoder's final
 * h and c start the decoder), {@code α = softmax(d·hᵀ)}, and a dense layer over {@code [d; α·h]}.
 *
 * <p>As in torch_bench, source and target are looked up in one table ({@code tgtEmb} shares
 * {@code srcEmb}'s), so the parameter count is PyTorch's, 175,136; the table is named
 * {@code srcEmb.weight} where PyTorch says {@code e.weight}. Token 0 is padding: its positions are
 * left out of the loss.
 */
@Model(maxBatch = 32)
public abstract class Seq2Seq {
  @Tokens(maxLength = 24)
  abstract IntTensor source();

  @Tokens(maxLength = 24, decoded = true)
  abstract IntTensor target();

  @Embedding(vocab = 32, dim = 32)
  abstract Tensor srcEmb(IntTensor source);

  @Embedding(vocab = 32, dim = 32, shares = "srcEmb")
  abstract Tensor tgtEmb(IntTensor target);

  @Lstm(units = 128)
  abstract Tensor enc(Tensor srcEmb);

  @Lstm(units = 128)
  abstract Tensor dec(Tensor tgtEmb, @InitialState Tensor enc);

  @Attention(score = Score.DOT)
  abstract Tensor context(Tensor dec, Tensor enc);

  @Concat
  abstract Tensor joined(Tensor dec, Tensor context);

  @Dense(units = 32)
  abstract Tensor o(Tensor joined);

  @Loss(value = SOFTMAX_CROSS_ENTROPY, ignoreIndex = 0)
  abstract Tensor loss(Tensor o, @Labels IntTensor next);
}
