package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.AvgPool1d;
import io.kiln.dsl.Conv1d;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Flatten;
import io.kiln.dsl.GlobalAvgPool;
import io.kiln.dsl.Input;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.MaxPool1d;
import io.kiln.dsl.Model;
import io.kiln.dsl.Padding;
import io.kiln.dsl.Tensor;

/**
 * A 1-D convolutional classifier over {@code [B, 2, 23]} series, layer for layer make_fixtures.py's
 * {@code conv1d} module ({@code nn.Conv1d}, {@code MaxPool1d}, {@code AvgPool1d},
 * {@code AdaptiveAvgPool1d(1)}): the subject of its PyTorch parity check.
 */
@Model(maxBatch = 4)
public abstract class Conv1dNet {
  @Input(shape = {2, 23})
  abstract Tensor x();

  @Conv1d(filters = 4, kernel = 5, padding = Padding.EXPLICIT, pad = 2, activation = Activation.RELU)
  abstract Tensor c1(Tensor x); // [4, 23]

  @MaxPool1d(size = 2)
  abstract Tensor p1(Tensor c1); // [4, 11]

  @Conv1d(filters = 6, kernel = 3, stride = 2, padding = Padding.EXPLICIT, pad = 1, activation = Activation.TANH)
  abstract Tensor c2(Tensor p1); // [6, 6]

  @AvgPool1d(size = 3, stride = 1)
  abstract Tensor a2(Tensor c2); // [6, 4]

  @Conv1d(filters = 5, kernel = 3, activation = Activation.RELU)
  abstract Tensor c3(Tensor a2); // [5, 2]

  @GlobalAvgPool
  abstract Tensor g3(Tensor c3); // [5, 1]

  @Flatten
  abstract Tensor flat(Tensor g3);

  @Dense(units = 3)
  abstract Tensor out(Tensor flat);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels IntTensor label);
}
