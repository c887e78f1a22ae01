package io.kiln.bench;

import io.kiln.runtime.init.Rng;
import io.kiln.runtime.train.Sgd;
import io.kiln.samples.lenet.KilnLeNet;

/** torch_bench.py's lenet case: batch 64 of 1×28×28 Gaussian images, random labels, SGD lr 0.01. */
final class LeNetBench implements ReferenceModel {
  private final KilnLeNet model = KilnLeNet.create(0);
  private final Sgd sgd = new Sgd(0.01f);
  private final float[] x = new float[64 * 28 * 28];
  private final int[] y = new int[64];

  LeNetBench() {
    Rng rng = new Rng(0);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = rng.nextInt(10);
    }
  }

  @Override
  public String name() {
    return "lenet";
  }

  @Override
  public int batch() {
    return 64;
  }

  @Override
  public long params() {
    return KilnLeNet.PARAMETER_COUNT;
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
