package io.kiln.tests.models;

import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.Gru;
import io.kiln.dsl.InitialState;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Lstm;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;

/**
 * Two encoder → decoder hand-offs: an LSTM encoder that returns only its final state starts an
 * LSTM decoder (h and c handed over), and a GRU encoder whose per-step outputs nobody reads starts
 * a GRU decoder. Gradients must flow back through both hand-offs.
 */
@Model(maxBatch = 3)
public abstract class EncoderDecoder {
  @Tokens(maxLength = 5)
  abstract IntTensor source();

  @Tokens(maxLength = 5)
  abstract IntTensor target();

  @Embedding(vocab = 6, dim = 3)
  abstract Tensor srcEmb(IntTensor source);

  @Embedding(vocab = 6, dim = 3)
  abstract Tensor tgtEmb(IntTensor target);

  @Lstm(units = 4, returnSequences = false)
  abstract Tensor encoder(Tensor srcEmb);

  @Lstm(units = 4)
  abstract Tensor decoder(Tensor tgtEmb, @InitialState Tensor encoder);

  @Gru(units = 3)
  abstract Tensor gruEncoder(Tensor decoder);

  @Gru(units = 3)
  abstract Tensor gruDecoder(Tensor tgtEmb, @InitialState Tensor gruEncoder);

  @Dense(units = 6)
  abstract Tensor out(Tensor gruDecoder);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels IntTensor next);
}
