package io.kiln.tests.models;

import io.kiln.dsl.Dense;
import io.kiln.dsl.Gru;
import io.kiln.dsl.Input;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Lstm;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/**
 * Float frames ({@code [B, T ≤ 6, 3]}) through two stacked bidirectional layers (an LSTM, then a GRU
 * without biases reading both directions' {@code [B, T, 8]}), a per-step dense layer and a per-step
 * regression loss: the subject of the bidirectional gradient checks and of the {@code bi_series}
 * PyTorch parity fixture.
 */
@Model(maxBatch = 4)
public abstract class BiSeries {
  @Input(shape = {3}, maxLength = 6)
  abstract Tensor frames();

  @Lstm(units = 4, bidirectional = true)
  abstract Tensor lstm(Tensor frames);

  @Gru(units = 3, bidirectional = true, bias = false)
  abstract Tensor gru(Tensor lstm);

  @Dense(units = 2)
  abstract Tensor out(Tensor gru);

  @Loss(LossKind.MEAN_SQUARED_ERROR)
  abstract Tensor loss(Tensor out, @Labels Tensor target);
}
