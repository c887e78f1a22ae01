package io.kiln.samples.charlstm;

import static io.kiln.dsl.LossKind.SOFTMAX_CROSS_ENTROPY;

import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.Lstm;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;

/**
 * A character-level language model, as torch_bench.py's charlstm: 96 characters embedded in 64
 * dimensions, an LSTM of 256 units, and a per-step dense layer scoring the next character.
 * Node names are the PyTorch module's attributes (e, l, o), so weights move both ways.
 */
@Model(maxBatch = 32)
public abstract class CharLstm {
  @Tokens(maxLength = 64)
  abstract IntTensor text();

  @Embedding(vocab = 96, dim = 64)
  abstract Tensor e(IntTensor text);

  @Lstm(units = 256)
  abstract Tensor l(Tensor e);

  @Dense(units = 96)
  abstract Tensor o(Tensor l);

  @Loss(SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor o, @Labels IntTensor next);
}
