package io.kiln.tests.models;

import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Lstm;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;

/** The smallest language model with a decoded input: greedyDecode feeds each prediction back. */
@Model(maxBatch = 3)
public abstract class TinyDecoder {
  @Tokens(maxLength = 7, decoded = true)
  abstract IntTensor text();

  @Embedding(vocab = 5, dim = 3)
  abstract Tensor e(IntTensor text);

  @Lstm(units = 6)
  abstract Tensor l(Tensor e);

  @Dense(units = 5)
  abstract Tensor o(Tensor l);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor o, @Labels IntTensor next);
}
