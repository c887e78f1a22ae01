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
 * Every 1-D convolution and pooling variant in one chain over a ragged series (stride 2 SAME with
 * an even kernel, explicit padding, a ReLU run inside the max-pool, 1-wide without bias, overlapping
 * average pooling, global average pooling): the subject of the 1-D gradient checks.
 */
@Model(maxBatch = 4)
public abstract class Conv1dStack {
  @Input(shape = {2, 17})
  abstract Tensor x();

  @Conv1d(filters = 3, kernel = 4, stride = 2, padding = Padding.SAME, activation = Activation.TANH)
  abstract Tensor c1(Tensor x); // [3, 9]

  @Conv1d(filters = 4, kernel = 2, padding = Padding.EXPLICIT, pad = 1, activation = Activation.RELU)
  abstract Tensor c2(Tensor c1); // [4, 10]

  @MaxPool1d(size = 3, stride = 2)
  abstract Tensor p2(Tensor c2); // [4, 4], c2's ReLU runs here

  @Conv1d(filters = 2, kernel = 1, bias = false)
  abstract Tensor c3(Tensor p2); // [2, 4]

  @AvgPool1d(size = 2, stride = 1)
  abstract Tensor a3(Tensor c3); // [2, 3]

  @Conv1d(filters = 3, kernel = 2, activation = Activation.SIGMOID)
  abstract Tensor c4(Tensor a3); // [3, 2]

  @GlobalAvgPool
  abstract Tensor g4(Tensor c4); // [3, 1]

  @Flatten
  abstract Tensor flat(Tensor g4);

  @Dense(units = 3)
  abstract Tensor out(Tensor flat);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels IntTensor label);
}
