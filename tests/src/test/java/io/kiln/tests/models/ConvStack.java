package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.AvgPool;
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

/**
 * Every convolution and pooling variant in one chain (stride 2 SAME, explicit padding with a
 * non-square kernel, 1×1 VALID, max and overlapping average pooling, several channels, odd sizes):
 * the subject of the convolution gradient checks.
 */
@Model(maxBatch = 4)
public abstract class ConvStack {
  @Input(shape = {2, 9, 9})
  abstract Tensor x();

  @Conv(filters = 3, kernel = 3, stride = 2, padding = Padding.SAME, activation = Activation.TANH)
  abstract Tensor c1(Tensor x); // [3, 5, 5]

  @Conv(filters = 4, kernelHeight = 3, kernelWidth = 2, padding = Padding.EXPLICIT, pad = 1, activation = Activation.SIGMOID)
  abstract Tensor c2(Tensor c1); // [4, 5, 6]

  @MaxPool(size = 2)
  abstract Tensor p2(Tensor c2); // [4, 2, 3]

  @Conv(filters = 2, kernel = 1, bias = false)
  abstract Tensor c3(Tensor p2); // [2, 2, 3]

  @AvgPool(size = 2, stride = 1)
  abstract Tensor a3(Tensor c3); // [2, 1, 2]

  @Flatten
  abstract Tensor flat(Tensor a3);

  @Dense(units = 3)
  abstract Tensor out(Tensor flat);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels IntTensor label);
}
