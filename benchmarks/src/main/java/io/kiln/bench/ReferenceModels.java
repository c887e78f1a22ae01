package io.kiln.bench;

import java.util.List;
import java.util.function.Supplier;

/**
 * The registry {@code ./bench models} runs. Each sample that implements a reference model adds one
 * factory here (e.g. {@code LeNetBench::new}); a model is created once per thread count.
 */
public final class ReferenceModels {
  private ReferenceModels() {}

  /** Factories of the reference models, in torch_bench.py's order (lenet, cnn64, charlstm, seq2seq, gpt). */
  public static final List<Supplier<ReferenceModel>> ALL = List.of(
      LeNetBench::new,
      Cnn64Bench::new,
      CharLstmBench::new
      // seq2seq and gpt join as their samples land
  );
}
