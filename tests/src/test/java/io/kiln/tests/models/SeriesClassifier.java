package io.kiln.tests.models;

import io.kiln.dsl.Dense;
import io.kiln.dsl.Gru;
import io.kiln.dsl.Input;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/** Classifies a float series ({@code [B, T ≤ 5, 2]}) from a GRU's last state. */
@Model(maxBatch = 4)
public abstract class SeriesClassifier {
  @Input(shape = {2}, maxLength = 5)
  abstract Tensor frames();

  @Gru(units = 4, returnSequences = false)
  abstract Tensor gru(Tensor frames);

  @Dense(units = 3)
  abstract Tensor out(Tensor gru);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels io.kiln.dsl.IntTensor label);
}
