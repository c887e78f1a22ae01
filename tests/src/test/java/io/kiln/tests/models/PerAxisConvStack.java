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
 * Per-axis strides, padding, dilation and pool windows in one chain over a ragged image (PyTorch's
 * {@code stride=(1, 3), padding=(0, 1), dilation=2}; SAME with a dilated, non-square kernel and
 * per-axis strides; pools with rectangular windows): the subject of the per-axis gradient checks.
 */
@Model(maxBatch = 4)
public abstract class PerAxisConvStack {
  @Input(shape = {2, 9, 11})
  abstract Tensor x();

  @Conv(filters = 3, kernel = 3, stride = {1, 3}, padding = Padding.EXPLICIT, pad = {0, 1}, dilation = 2, activation = Activation.TANH)
  abstract Tensor c1(Tensor x); // [3, 5, 3]

  @Conv(filters = 2, kernelHeight = 2, kernelWidth = 3, stride = {2, 1}, dilation = {1, 2}, padding = Padding.SAME, activation = Activation.RELU)
  abstract Tensor c2(Tensor c1); // [2, 3, 3]

  @MaxPool(size = {2, 1}, stride = 1)
  abstract Tensor p2(Tensor c2); // [2, 2, 3], c2's ReLU runs here

  @AvgPool(size = {1, 2}, stride = {1, 1})
  abstract Tensor a2(Tensor p2); // [2, 2, 2]

  @Flatten
  abstract Tensor flat(Tensor a2);

  @Dense(units = 3)
  abstract Tensor out(Tensor flat);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels IntTensor label);
}
