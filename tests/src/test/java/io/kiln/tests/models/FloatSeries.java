package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Gru;
import io.kiln.dsl.Input;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Lstm;
import io.kiln.dsl.Model;
import io.kiln.dsl.Rnn;
import io.kiln.dsl.Tensor;

/**
 * Float frames in (a sensor series, {@code [B, T ≤ 6, 3]}), every recurrent cell stacked, a
 * per-step dense layer and a per-step regression loss: the subject of the float-sequence gradient
 * checks and of the {@code series} PyTorch parity fixture.
 */
@Model(maxBatch = 4)
public abstract class FloatSeries {
  @Input(shape = {3}, maxLength = 6)
  abstract Tensor frames();

  @Lstm(units = 4)
  abstract Tensor lstm(Tensor frames);

  @Gru(units = 3)
  abstract Tensor gru(Tensor lstm);

  @Rnn(units = 5, activation = Activation.TANH)
  abstract Tensor rnn(Tensor gru);

  @Dense(units = 2)
  abstract Tensor out(Tensor rnn);

  @Loss(LossKind.MEAN_SQUARED_ERROR)
  abstract Tensor loss(Tensor out, @Labels Tensor target);
}
