package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.BatchNorm;
import io.kiln.dsl.Conv;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Dropout;
import io.kiln.dsl.Flatten;
import io.kiln.dsl.Input;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/** Batch norm (2-D and 1-D) and dropout in a generated model: train/eval modes and running statistics. */
@Model(maxBatch = 16)
public abstract class NormDrop {
  @Input(shape = {1, 6, 6})
  abstract Tensor x();

  @Conv(filters = 4, kernel = 3)
  abstract Tensor conv(Tensor x);

  @BatchNorm
  abstract Tensor bn(Tensor conv);

  @Flatten
  abstract Tensor flat(Tensor bn);

  @Dense(units = 8, activation = Activation.RELU)
  abstract Tensor hidden(Tensor flat);

  @BatchNorm(momentum = 0.5)
  abstract Tensor bn1(Tensor hidden);

  @Dropout(rate = 0.5)
  abstract Tensor drop(Tensor bn1);

  @Dense(units = 3)
  abstract Tensor out(Tensor drop);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels IntTensor label);
}
