package io.kiln.samples.cnn64;

import static io.kiln.dsl.Activation.RELU;
import static io.kiln.dsl.LossKind.SIGMOID_BINARY_CROSS_ENTROPY;

import io.kiln.dsl.Conv;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Flatten;
import io.kiln.dsl.Input;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.MaxPool;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/**
 * The notes' binary image classifier for 64×64 colour images: conv 32 3×3 + ReLU, max-pool 2,
 * conv 64 3×3 + ReLU, max-pool 2, dense 1, sigmoid + binary cross-entropy (as torch_bench.py's cnn64).
 */
@Model(maxBatch = 64)
public abstract class Cnn64 {
  @Input(shape = {3, 64, 64})
  abstract Tensor image();

  @Conv(filters = 32, kernel = 3, activation = RELU)
  abstract Tensor c1(Tensor image);

  @MaxPool(size = 2)
  abstract Tensor p1(Tensor c1);

  @Conv(filters = 64, kernel = 3, activation = RELU)
  abstract Tensor c2(Tensor p1);

  @MaxPool(size = 2)
  abstract Tensor p2(Tensor c2);

  @Flatten
  abstract Tensor flat(Tensor p2);

  @Dense(units = 1)
  abstract Tensor logit(Tensor flat);

  @Loss(SIGMOID_BINARY_CROSS_ENTROPY)
  abstract Tensor loss(Tensor logit, @Labels Tensor label);
}
