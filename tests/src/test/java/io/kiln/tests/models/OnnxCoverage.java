package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Add;
import io.kiln.dsl.AvgPool;
import io.kiln.dsl.BatchNorm;
import io.kiln.dsl.Concat;
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
import io.kiln.dsl.Padding;
import io.kiln.dsl.Tensor;

/**
 * What the other test models leave out of the ONNX export check: SAME padding that is uneven
 * (kernel 4, stride 3 over 10 pads one row above and two below), GELU on a
 * vector, batch norm of a feature map, average pooling, and @Add/@Concat of vectors.
 */
@Model(maxBatch = 5)
public abstract class OnnxCoverage {
  @Input(shape = {3, 10, 10})
  abstract Tensor image();

  @Conv(filters = 4, kernel = 4, stride = 3, padding = Padding.SAME, activation = Activation.RELU)
  abstract Tensor c1(Tensor image);

  @BatchNorm
  abstract Tensor bn(Tensor c1);

  @AvgPool(size = 2)
  abstract Tensor pool(Tensor bn);

  @Flatten
  abstract Tensor flat(Tensor pool);

  @Dense(units = 6, activation = Activation.GELU)
  abstract Tensor g(Tensor flat);

  @Dropout(rate = 0.3)
  abstract Tensor d(Tensor g);

  @Dense(units = 6, activation = Activation.TANH, bias = false)
  abstract Tensor h(Tensor d);

  @Add
  abstract Tensor sum(Tensor g, Tensor h);

  @Concat
  abstract Tensor both(Tensor sum, Tensor flat);

  @Dense(units = 3)
  abstract Tensor logits(Tensor both);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor logits, @Labels IntTensor label);
}
