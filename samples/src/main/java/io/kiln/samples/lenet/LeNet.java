package io.kiln.samples.lenet;

import static io.kiln.dsl.Activation.RELU;
import static io.kiln.dsl.LossKind.SOFTMAX_CROSS_ENTROPY;
import static io.kiln.dsl.Padding.SAME;

import io.kiln.dsl.Conv;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Flatten;
import io.kiln.dsl.Input;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.MaxPool;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/** LeNet-5 (with ReLU and max pooling) for 28×28 grey images in ten classes, as in DESIGN.md. */
@Model(maxBatch = 64)
public abstract class LeNet {
  @Input(shape = {1, 28, 28})
  abstract Tensor image();

  @Conv(filters = 6, kernel = 5, padding = SAME, activation = RELU)
  abstract Tensor c1(Tensor image);

  @MaxPool(size = 2)
  abstract Tensor p1(Tensor c1);

  @Conv(filters = 16, kernel = 5, activation = RELU)
  abstract Tensor c2(Tensor p1);

  @MaxPool(size = 2)
  abstract Tensor p2(Tensor c2);

  @Flatten
  abstract Tensor flat(Tensor p2);

  @Dense(units = 120, activation = RELU)
  abstract Tensor f1(Tensor flat);

  @Dense(units = 84, activation = RELU)
  abstract Tensor f2(Tensor f1);

  @Dense(units = 10)
  abstract Tensor logits(Tensor f2);

  @Loss(SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor logits, @Labels IntTensor label);
}
