package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Input;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/** A two-input perceptron, to check the worked examples and the perceptron rule exactly. */
@Model(maxBatch = 4)
public abstract class Perceptron2 {
  @Input(shape = 2)
  abstract Tensor x();

  @Dense(units = 1, activation = Activation.STEP)
  abstract Tensor y(Tensor x);

  @Loss(LossKind.PERCEPTRON)
  abstract Tensor loss(Tensor y, @Labels Tensor target);
}
