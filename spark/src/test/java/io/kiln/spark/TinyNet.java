package io.kiln.spark;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Input;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/** A small classifier (4 features, 3 classes) that keeps the Spark tests fast. */
@Model(maxBatch = 32)
abstract class TinyNet {
  @Input(shape = 4)
  abstract Tensor features();

  @Dense(units = 16, activation = Activation.TANH)
  abstract Tensor hidden(Tensor features);

  @Dense(units = 3)
  abstract Tensor logits(Tensor hidden);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor logits, @Labels IntTensor label);
}
