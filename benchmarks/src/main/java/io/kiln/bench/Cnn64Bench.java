package io.kiln.bench;

import io.kiln.runtime.init.Rng;
import io.kiln.runtime.train.Sgd;
import io.kiln.samples.cnn64.KilnCnn64;

/** torch_bench.py's cnn64 case: batch 64 of 3×64×64 Gaussian images, random 0/1 labels, SGD lr 0.01. */
final class Cnn64Bench implements ReferenceModel {
  private final KilnCnn64 model = KilnCnn64.create(0);
  private final Sgd sgd = new Sgd(0.01f);
  private final float[] x = new float[64 * 3 * 64 * 64];
  private final float[] y = new float[64];

  Cnn64Bench() {
    Rng rng = new Rng(0);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = rng.nextInt(2);
    }
  }

  @Override
  public String name() {
    return "cnn64";
  }

  @Override
  public int batch() {
    return 64;
  }

  @Override
  public long params() {
    return KilnCnn64.PARAMETER_COUNT;
  }

  @Override
  public void trainStep() {
    model.trainStep(x, y, sgd);
  }

  @Override
  public void forward() {
    model.loss(x, y);
  }
}
