package io.kiln.tests.models;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.Gru;
import io.kiln.dsl.InitialState;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Model;
import io.kiln.dsl.Rnn;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;

/**
 * Recurrent layers the other test models leave out of the ONNX export check: without biases, an
 * @Rnn started from another's final state, and a GRU's last state feeding a sigmoid layer.
 */
@Model(maxBatch = 4)
public abstract class OnnxSequenceCoverage {
  @Tokens(maxLength = 6)
  abstract IntTensor text();

  @Embedding(vocab = 5, dim = 3)
  abstract Tensor e(IntTensor text);

  @Rnn(units = 4, bias = false, returnSequences = false)
  abstract Tensor first(Tensor e);

  @Rnn(units = 4, activation = Activation.RELU)
  abstract Tensor second(Tensor e, @InitialState Tensor first);

  @Gru(units = 3, bias = false, returnSequences = false)
  abstract Tensor g(Tensor second);

  @Dense(units = 2, activation = Activation.SIGMOID)
  abstract Tensor out(Tensor g);
}
