package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Input;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Lstm;
import io.kiln.dsl.Model;
import io.kiln.dsl.Rnn;
import io.kiln.dsl.Tensor;

/**
 * Classifies a float series ({@code [B, T ≤ 5, 2]}): a bidirectional RNN's every step, then a
 * bidirectional LSTM's last states ({@code [B, 8]}, PyTorch's {@code cat([h_n[0], h_n[1]], -1)}).
 * The subject of the bidirectional last-state gradient checks and of the {@code bi_classifier} fixture.
 */
@Model(maxBatch = 4)
public abstract class BiClassifier {
  @Input(shape = {2}, maxLength = 5)
  abstract Tensor frames();

  @Rnn(units = 3, activation = Activation.TANH, bidirectional = true)
  abstract Tensor rnn(Tensor frames);

  @Lstm(units = 4, bidirectional = true, returnSequences = false)
  abstract Tensor lstm(Tensor rnn);

  @Dense(units = 3)
  abstract Tensor out(Tensor lstm);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels IntTensor label);
}
