package com.example;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Input;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/** Is a point inside the unit circle? Not linearly separable, easy for one hidden layer. */
@Model(maxBatch = 64)
abstract class RingClassifier {
  @Input(shape = 2)
  abstract Tensor point();

  @Dense(units = 16, activation = Activation.RELU)
  abstract Tensor hidden(Tensor point);

  @Dense(units = 2)
  abstract Tensor logits(Tensor hidden);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor logits, @Labels IntTensor inside);
}
