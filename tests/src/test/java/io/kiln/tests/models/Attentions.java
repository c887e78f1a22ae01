package io.kiln.tests.models;

import io.kiln.dsl.Attention;
import io.kiln.dsl.Concat;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.InitialState;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Lstm;
import io.kiln.dsl.Model;
import io.kiln.dsl.Score;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;

/**
 * A small LSTM encoder → decoder with all three attention scores over the same states, joined
 * with the decoder state, and one embedding table shared by source and target. The decoder and
 * encoder gradients each collect several contributions (= then +=), the case attention's single
 * accumulate flag has to be made to serve.
 */
@Model(maxBatch = 3)
public abstract class Attentions {
  @Tokens(maxLength = 5)
  abstract IntTensor source();

  @Tokens(maxLength = 5, decoded = true)
  abstract IntTensor target();

  @Embedding(vocab = 6, dim = 3)
  abstract Tensor srcEmb(IntTensor source);

  @Embedding(vocab = 6, dim = 3, shares = "srcEmb")
  abstract Tensor tgtEmb(IntTensor target);

  @Lstm(units = 4)
  abstract Tensor enc(Tensor srcEmb);

  @Lstm(units = 4)
  abstract Tensor dec(Tensor tgtEmb, @InitialState Tensor enc);

  @Attention(score = Score.DOT)
  abstract Tensor dot(Tensor dec, Tensor enc);

  @Attention(score = Score.GENERAL)
  abstract Tensor general(Tensor dec, Tensor enc);

  @Attention(score = Score.ADDITIVE, units = 5)
  abstract Tensor additive(Tensor dec, Tensor enc);

  @Concat
  abstract Tensor joined(Tensor dec, Tensor dot, Tensor general, Tensor additive);

  @Dense(units = 6)
  abstract Tensor out(Tensor joined);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels IntTensor next);
}
