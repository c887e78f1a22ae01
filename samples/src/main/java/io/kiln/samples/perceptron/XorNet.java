package io.kiln.samples.perceptron;

import static io.kiln.dsl.Activation.TANH;
import static io.kiln.dsl.LossKind.SIGMOID_BINARY_CROSS_ENTROPY;

import io.kiln.dsl.Dense;
import io.kiln.dsl.Input;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/** Two layers learn what one perceptron cannot: XOR is not linearly separable, a hidden layer makes it so. */
@Model(maxBatch = 4)
abstract class XorNet {
  @Input(shape = 2)
  abstract Tensor x();

  @Dense(units = 8, activation = TANH)
  abstract Tensor hidden(Tensor x);

  @Dense(units = 1)
  abstract Tensor logit(Tensor hidden);

  @Loss(SIGMOID_BINARY_CROSS_ENTROPY)
  abstract Tensor loss(Tensor logit, @Labels Tensor target);
}
