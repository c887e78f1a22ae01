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
 * A classifier with per-axis strides, padding and dilation over {@code [B, 2, 9, 14]}, layer for
 * layer make_fixtures.py's {@code per_axis} module ({@code nn.Conv2d(stride=(1, 3), padding=(0, 1),
 * dilation=2)}, {@code nn.MaxPool2d((2, 1), stride=1)}, …): the subject of its PyTorch parity check.
 */
@Model(maxBatch = 4)
public abstract class PerAxisConvNet {
  @Input(shape = {2, 9, 14})
  abstract Tensor x();

  @Conv(filters = 4, kernel = 3, stride = {1, 3}, padding = Padding.EXPLICIT, pad = {0, 1}, dilation = 2, activation = Activation.RELU)
  abstract Tensor c1(Tensor x); // [4, 5, 4]

  @MaxPool(size = {2, 1}, stride = 1)
  abstract Tensor p1(Tensor c1); // [4, 4, 4]

  @Conv(filters = 3, kernel = 2, stride = {2, 1}, padding = Padding.EXPLICIT, pad = {1, 0}, dilation = {1, 2}, activation = Activation.TANH)
  abstract Tensor c2(Tensor p1); // [3, 3, 2]

  @AvgPool(size = {1, 2}, stride = 1)
  abstract Tensor a2(Tensor c2); // [3, 3, 1]

  @Flatten
  abstract Tensor flat(Tensor a2);

  @Dense(units = 3)
  abstract Tensor out(Tensor flat);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels IntTensor label);
}
