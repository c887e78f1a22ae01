package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Input;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/** A classifier big enough to take the SIMD and blocked GEMM paths: allocation, I/O and determinism tests. */
@Model(maxBatch = 32)
public abstract class Mlp {
  @Input(shape = 64)
  abstract Tensor pixels();

  @Dense(units = 48, activation = Activation.RELU)
  abstract Tensor hidden(Tensor pixels);

  @Dense(units = 10)
  abstract Tensor logits(Tensor hidden);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor logits, @Labels IntTensor label);
}
