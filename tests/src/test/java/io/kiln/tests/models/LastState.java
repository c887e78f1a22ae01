package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Model;
import io.kiln.dsl.Rnn;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;

/** A sequence classifier: a ReLU RNN's last state (returnSequences = false) scored per sequence. */
@Model(maxBatch = 4)
public abstract class LastState {
  @Tokens(maxLength = 5)
  abstract IntTensor ids();

  @Embedding(vocab = 6, dim = 4)
  abstract Tensor emb(IntTensor ids);

  @Rnn(units = 5, activation = Activation.RELU, returnSequences = false)
  abstract Tensor rnn(Tensor emb);

  @Dense(units = 3)
  abstract Tensor out(Tensor rnn);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels IntTensor label);
}
