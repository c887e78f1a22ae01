package io.kiln.runtime.cnn;

import io.kiln.dsl.Activation;
import io.kiln.runtime.At;
import io.kiln.runtime.init.Rng;
import io.kiln.runtime.testing.Allocations;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * After warm-up (C2 must have compiled the Vector API code, which boxes while interpreted) a
 * LeNet-like forward and backward pass allocates nothing on the calling thread.
 */
class CnnAllocationTest {
  private static final int BATCH = 2;
  private final ConvGeometry c1 = ConvGeometry.same(1, 28, 28, 6, 5, 5, 1);
  private final PoolGeometry p1 = PoolGeometry.of(6, 28, 28, 2);
  private final ConvGeometry c2 = ConvGeometry.valid(6, 14, 14, 16, 5, 5, 1);
  private final PoolGeometry p2 = PoolGeometry.of(16, 10, 10, 2);
  private final ConvGeometry c3 = ConvGeometry.valid(16, 5, 5, 8, 1, 1, 1); // pointwise

  private final Random r = new Random(1);
  private final float[] x = fill(BATCH * c1.inputSize());
  private final float[] w1 = fill(c1.weightSize());
  private final float[] b1 = fill(c1.filters());
  private final float[] w2 = fill(c2.weightSize());
  private final float[] b2 = fill(c2.filters());
  private final float[] w3 = fill(c3.weightSize());
  private final float[] cols = new float[Math.max(c1.colsSize(), c2.colsSize())];
  private final float[] dcols = new float[cols.length];
  private final float[] z1 = new float[BATCH * c1.outputSize()];
  private final float[] a1 = new float[BATCH * p1.outputSize()];
  private final float[] z2 = new float[BATCH * c2.outputSize()];
  private final float[] n2 = new float[z2.length];
  private final float[] a2 = new float[BATCH * p2.outputSize()];
  private final float[] d2 = new float[a2.length];
  private final float[] mask = new float[a2.length];
  private final float[] z3 = new float[BATCH * c3.outputSize()];
  private final float[] gamma = fill(16);
  private final float[] beta = fill(16);
  private final float[] rm = new float[16];
  private final float[] rv = new float[16];
  private final float[] sm = new float[16];
  private final float[] sis = new float[16];
  private final Rng rng = new Rng(5);
  // gradients
  private final float[] dw1 = new float[w1.length];
  private final float[] db1 = new float[b1.length];
  private final float[] dw2 = new float[w2.length];
  private final float[] db2 = new float[b2.length];
  private final float[] dw3 = new float[w3.length];
  private final float[] dgamma = new float[16];
  private final float[] dbeta = new float[16];
  private final float[] gz1 = new float[z1.length];
  private final float[] ga1 = new float[a1.length];
  private final float[] gz2 = new float[z2.length];
  private final float[] gn2 = new float[z2.length];
  private final float[] ga2 = new float[a2.length];
  private final float[] gd2 = new float[a2.length];

  private float[] fill(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian() * 0.3f;
    }
    return a;
  }

  // the layer objects a generated model builds once
  private final Conv2d conv1 = Conv2d.of(c1)
      .weights(new At(w1, 0), new At(b1, 0), Activation.NONE)
      .output(new At(z1, 0), new At(cols, 0))
      .gradients(new At(gz1, 0), new At(dw1, 0), new At(db1, 0))
      .backwardScratch(new At(cols, 0), new At(dcols, 0))
      .build();
  private final Pooling pool1 = Pooling.of(p1, Pooling.Kind.RELU_MAX, new At(a1, 0), new At(ga1, 0), new At(gz1, 0), false);
  private final Conv2d conv2 = Conv2d.of(c2)
      .weights(new At(w2, 0), new At(b2, 0), Activation.NONE)
      .output(new At(z2, 0), new At(cols, 0))
      .gradients(new At(gz2, 0), new At(dw2, 0), new At(db2, 0))
      .inputGradient(new At(ga1, 0), false)
      .backwardScratch(new At(cols, 0), new At(dcols, 0))
      .build();
  private final Conv2d conv3 = Conv2d.of(c3)
      .weights(new At(w3, 0), At.NONE, Activation.RELU)
      .output(new At(z3, 0), At.NONE)
      .gradients(new At(z3, 0), new At(dw3, 0), At.NONE)
      .inputGradient(new At(gd2, 0), false)
      .build();
  private final Pooling pool2 = Pooling.of(p2, Pooling.Kind.MAX, new At(a2, 0), new At(ga2, 0), new At(gn2, 0), false);

  private void step() {
    conv1.forward(BATCH, x, 0);
    pool1.forward(BATCH, z1, 0);
    conv2.forward(BATCH, a1, 0);
    BatchNorm.forwardTrain(BATCH, 16, 100, z2, 0, gamma, 0, beta, 0, rm, 0, rv, 0, 0.1f, 1e-5f, n2, 0, sm, 0, sis, 0);
    pool2.forward(BATCH, n2, 0);
    Dropout.forwardTrain(0.25f, rng, a2, 0, d2, 0, mask, 0, a2.length);
    conv3.forward(BATCH, d2, 0);
    // backward with dz3 = z3 (any values do)
    conv3.backward(BATCH, d2, 0);
    Dropout.backward(gd2, 0, mask, 0, ga2, 0, a2.length, false);
    pool2.backward(BATCH, n2, 0);
    BatchNorm.backward(BATCH, 16, 100, z2, 0, gamma, 0, sm, 0, sis, 0, gn2, 0, gz2, 0, false, dgamma, 0, dbeta, 0);
    conv2.backward(BATCH, a1, 0);
    pool1.backward(BATCH, z1, 0);
    conv1.backward(BATCH, x, 0);
    Pooling.avgForward(p2, BATCH, n2, 0, a2, 0);
    Pooling.avgBackward(p2, BATCH, ga2, 0, gn2, 0, true);
    BatchNorm.forwardEval(BATCH, 16, 100, z2, 0, gamma, 0, beta, 0, rm, 0, rv, 0, 1e-5f, n2, 0);
  }

  @Test
  @Tag("allocation") // also run with stingy inlining: see the pom
  void noAllocationPerStepAfterWarmUp() {
    Allocations.assertNone("LeNet-like training steps", this::step, 200, 60);
  }

  /**
   * col2im of LeNet's second convolution (rows narrower than a vector) into arrays with no room
   * after them, as a pool worker's exactly sized buffer has: the vectors of the last rows would pass
   * the arrays' ends, where a masked access allocates.
   */
  @Test
  @Tag("allocation")
  void col2imIntoTightArraysAllocatesNothing() {
    io.kiln.runtime.simd.DirectConvolution.Shape s = new io.kiln.runtime.simd.DirectConvolution.Shape(6, 14, 14, 16, 5,
        5, 0, 0, 10, 10);
    float[] tightDcols = fill(c2.colsSize());
    float[] tightDx = new float[c2.inputSize()];
    io.kiln.runtime.simd.DirectConvolution kernel = io.kiln.runtime.simd.Vectorization.provider().directConvolution();
    Allocations.assertNone("col2im into tight arrays", () -> kernel.col2im(s, tightDcols, 0, tightDx, 0, false), 2000,
        60);
  }
}
