package io.kiln.samples.perceptron;

import static io.kiln.dsl.Activation.STEP;
import static io.kiln.dsl.LossKind.PERCEPTRON;

import io.kiln.dsl.Dense;
import io.kiln.dsl.Input;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/**
 * The classic perceptron: {@code ŷ = step(w·x + b)}, trained one sample at a time with the rule
 * {@code w += η(y − ŷ)x}, {@code b += η(y − ŷ)} (the PERCEPTRON loss under plain SGD at rate η).
 */
@Model(maxBatch = 4)
abstract class Perceptron {
  @Input(shape = 2)
  abstract Tensor x();

  @Dense(units = 1, activation = STEP)
  abstract Tensor y(Tensor x);

  @Loss(PERCEPTRON)
  abstract Tensor loss(Tensor y, @Labels Tensor target);
}
