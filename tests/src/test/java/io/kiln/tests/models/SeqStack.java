package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.Gru;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Lstm;
import io.kiln.dsl.Model;
import io.kiln.dsl.Rnn;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;

/**
 * Every recurrent cell stacked, with a per-step dense layer and a per-step loss that skips padding
 * (label −1): the subject of the recurrent gradient checks.
 */
@Model(maxBatch = 3)
public abstract class SeqStack {
  @Tokens(maxLength = 6)
  abstract IntTensor ids();

  @Embedding(vocab = 7, dim = 3)
  abstract Tensor emb(IntTensor ids);

  @Lstm(units = 4)
  abstract Tensor lstm(Tensor emb);

  @Gru(units = 3)
  abstract Tensor gru(Tensor lstm);

  @Rnn(units = 5, activation = Activation.TANH)
  abstract Tensor rnn(Tensor gru);

  @Dense(units = 4, activation = Activation.TANH)
  abstract Tensor out(Tensor rnn);

  @Loss(value = LossKind.SOFTMAX_CROSS_ENTROPY, ignoreIndex = -1)
  abstract Tensor loss(Tensor out, @Labels IntTensor next);
}
