package io.kiln.tests.models;

import io.kiln.dsl.Attention;
import io.kiln.dsl.Concat;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.InitialState;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Lstm;
import io.kiln.dsl.Model;
import io.kiln.dsl.Score;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;

/** The DOT attention model with one embedding table for source and target, as torch_bench.py's Seq2SeqAttn. */
@Model(maxBatch = 3)
public abstract class TiedAttn {
  @Tokens(maxLength = 5)
  abstract IntTensor source();

  @Tokens(maxLength = 5, decoded = true)
  abstract IntTensor target();

  @Embedding(vocab = 6, dim = 3)
  abstract Tensor srcEmb(IntTensor source);

  @Embedding(vocab = 6, dim = 3, shares = "srcEmb")
  abstract Tensor tgtEmb(IntTensor target);

  @Lstm(units = 4)
  abstract Tensor enc(Tensor srcEmb);

  @Lstm(units = 4)
  abstract Tensor dec(Tensor tgtEmb, @InitialState Tensor enc);

  @Attention(score = Score.DOT)
  abstract Tensor context(Tensor dec, Tensor enc);

  @Concat
  abstract Tensor joined(Tensor dec, Tensor context);

  @Dense(units = 6)
  abstract Tensor out(Tensor joined);

  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)
  abstract Tensor loss(Tensor out, @Labels IntTensor next);
}
