package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Conv;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Flatten;
import io.kiln.dsl.Input;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.MaxPool;
import io.kiln.dsl.Model;
import io.kiln.dsl.Padding;
import io.kiln.dsl.Tensor;

/** A ReLU convolution read only by a max-pool: the fused relu+max-pool path, forward and backward. */
@Model(maxBatch = 4)
public abstract class ReluPool {
  @Input(shape = {2, 7, 7})
  abstract Tensor x();

  @Conv(filters = 3, kernel = 3, padding = Padding.SAME, activation = Activation.RELU)
  abstract Tensor c(Tensor x); // [3, 7, 7]

  @MaxPool(size = 3, stride = 2)
  abstract Tensor p(Tensor c); // [3, 3, 3]

  @Flatten
  abstract Tensor flat(Tensor p);

  @Dense(units = 3)
  abstract Tensor out(Tensor flat);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels IntTensor label);
}
