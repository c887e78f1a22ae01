package io.kiln.bench;

import io.kiln.runtime.init.Rng;
import io.kiln.runtime.train.Sgd;
import io.kiln.samples.charlstm.KilnCharLstm;

/** torch_bench.py's charlstm case: batch 32 × 64 random characters of 96, next-character labels, SGD lr 0.01. */
final class CharLstmBench implements ReferenceModel {
  private final KilnCharLstm model = KilnCharLstm.create(0);
  private final Sgd sgd = new Sgd(0.01f);
  private final int[] x = new int[32 * 64];
  private final int[] y = new int[32 * 64];

  CharLstmBench() {
    Rng rng = new Rng(0);
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextInt(96);
      y[i] = rng.nextInt(96);
    }
  }

  @Override
  public String name() {
    return "charlstm";
  }

  @Override
  public int batch() {
    return 32;
  }

  @Override
  public long params() {
    return KilnCharLstm.PARAMETER_COUNT;
  }

  @Override
  public void trainStep() {
    model.trainStep(x, 64, y, sgd);
  }

  @Override
  public void forward() {
    model.loss(x, 64, y);
  }
}
