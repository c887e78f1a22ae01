package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Flatten;
import io.kiln.dsl.Input;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/** Every activation on the way to a SIGMOID_BINARY_CROSS_ENTROPY loss, with a flatten in front: the gradient-check subject. */
@Model(maxBatch = 8)
public abstract class EveryBce {
  @Input(shape = {2, 3})
  abstract Tensor x();

  @Flatten
  abstract Tensor flat(Tensor x);

  @Dense(units = 7, activation = Activation.RELU)
  abstract Tensor relu(Tensor flat);

  @Dense(units = 5, activation = Activation.SIGMOID)
  abstract Tensor sigmoid(Tensor relu);

  @Dense(units = 6, activation = Activation.TANH, bias = false)
  abstract Tensor tanh(Tensor sigmoid);

  @Dense(units = 3)
  abstract Tensor out(Tensor tanh);

  @Loss(LossKind.SIGMOID_BINARY_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels Tensor target);
}
