package io.kiln.samples.gradients;

import static io.kiln.dsl.LossKind.SOFTMAX_CROSS_ENTROPY;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.Gru;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.Lstm;
import io.kiln.dsl.Model;
import io.kiln.dsl.Rnn;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;

/**
 * The recurrent models of the memory experiments ({@link MemoryTask}): symbols embedded in 8
 * dimensions, one recurrent layer of {@link #UNITS} units whose last state alone is classified.
 */
public final class MemoryNets {
  /** Sequence length: the first symbol must be recalled after this many steps. */
  public static final int STEPS = 50;
  public static final int UNITS = 32;
  static final int BATCH = 32;

  private MemoryNets() {}

  /** An Elman RNN with tanh. */
  @Model(maxBatch = BATCH)
  public abstract static class TanhRnn {
    @Tokens(maxLength = STEPS) abstract IntTensor symbols();
    @Embedding(vocab = MemoryTask.VOCAB, dim = 8) abstract Tensor emb(IntTensor symbols);
    @Rnn(units = UNITS, activation = Activation.TANH, returnSequences = false) abstract Tensor cell(Tensor emb);
    @Dense(units = MemoryTask.CLASSES) abstract Tensor out(Tensor cell);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor first);
  }

  /** An LSTM. */
  @Model(maxBatch = BATCH)
  public abstract static class LstmNet {
    @Tokens(maxLength = STEPS) abstract IntTensor symbols();
    @Embedding(vocab = MemoryTask.VOCAB, dim = 8) abstract Tensor emb(IntTensor symbols);
    @Lstm(units = UNITS, returnSequences = false) abstract Tensor cell(Tensor emb);
    @Dense(units = MemoryTask.CLASSES) abstract Tensor out(Tensor cell);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor first);
  }

  /** A GRU. */
  @Model(maxBatch = BATCH)
  public abstract static class GruNet {
    @Tokens(maxLength = STEPS) abstract IntTensor symbols();
    @Embedding(vocab = MemoryTask.VOCAB, dim = 8) abstract Tensor emb(IntTensor symbols);
    @Gru(units = UNITS, returnSequences = false) abstract Tensor cell(Tensor emb);
    @Dense(units = MemoryTask.CLASSES) abstract Tensor out(Tensor cell);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor first);
  }

  /** An Elman RNN with ReLU: the exploding-gradient subject (nothing bounds its state). */
  @Model(maxBatch = BATCH)
  public abstract static class ReluRnn {
    @Tokens(maxLength = STEPS) abstract IntTensor symbols();
    @Embedding(vocab = MemoryTask.VOCAB, dim = 8) abstract Tensor emb(IntTensor symbols);
    @Rnn(units = UNITS, activation = Activation.RELU, returnSequences = false) abstract Tensor cell(Tensor emb);
    @Dense(units = MemoryTask.CLASSES) abstract Tensor out(Tensor cell);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor first);
  }
}
