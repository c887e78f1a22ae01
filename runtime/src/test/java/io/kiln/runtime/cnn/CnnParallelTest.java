package io.kiln.runtime.cnn;

import static com.google.common.truth.Truth.assertWithMessage;
import static io.kiln.runtime.cnn.TestArrays.OFF;
import static io.kiln.runtime.cnn.TestArrays.assertClose;
import static io.kiln.runtime.cnn.TestArrays.random;
import static io.kiln.runtime.cnn.TestArrays.zeros;

import io.kiln.dsl.Activation;
import io.kiln.runtime.At;
import io.kiln.runtime.Parallelism;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batch-parallel paths of {@link Conv2d} and {@link Pooling} (chunks of samples on the pool's
 * threads, per-chunk weight-gradient partials added in chunk order): against the references, and
 * bitwise equal whatever the thread count (1, 2, 3), at batch sizes below, at and above the chunk
 * count.
 */
class CnnParallelTest {
  private static final int[] THREADS = {1, 2, 3};
  private static final int[] BATCHES = {1, 2, 7, 8, 13, 64};
  private static final List<ConvGeometry> CONVS = List.of(
      ConvGeometry.same(1, 28, 28, 6, 5, 5, 1), // LeNet conv1
      ConvGeometry.valid(6, 14, 14, 16, 5, 5, 1), // LeNet conv2
      ConvGeometry.valid(3, 17, 17, 8, 3, 3, 1),
      ConvGeometry.same(3, 9, 11, 5, 4, 4, 2),
      ConvGeometry.valid(4, 9, 9, 7, 1, 1, 1)); // pointwise

  private final int initialThreads = Parallelism.threads();

  @AfterEach
  void restoreThreads() {
    Parallelism.setThreads(initialThreads);
  }

  @Test
  void convolutionIsBitwiseIdenticalForAnyThreadCountAndMatchesTheReference() {
    for (ConvGeometry g : CONVS) {
      for (int batch : BATCHES) {
        Random r = new Random(g.hashCode() * 17L + batch);
        float[] x = random(r, batch * g.inputSize(), 1);
        float[] w = random(r, g.weightSize(), 1);
        float[] bias = random(r, g.filters(), 1);
        float[] dz = random(r, batch * g.outputSize(), 1);
        float[] dw0 = random(r, g.weightSize(), 1);
        float[] db0 = random(r, g.filters(), 1);
        float[] dx0 = random(r, batch * g.inputSize(), 1);
        String what = g + " batch " + batch;

        float[] yRef = zeros(batch * g.outputSize());
        ConvReference.forward(g, batch, x, OFF, w, OFF, bias, OFF, Activation.RELU, yRef, OFF);
        float[] dwRef = dw0.clone();
        float[] dbRef = db0.clone();
        float[] dxRef = dx0.clone();
        ConvReference.backward(g, batch, x, OFF, w, OFF, dz, OFF, dwRef, OFF, dbRef, OFF, dxRef, OFF, true);

        float[][] first = null;
        for (int t : THREADS) {
          Parallelism.setThreads(t);
          float[] cols = zeros(g.colsSize());
          float[] dcols = zeros(g.colsSize());
          float[] y = random(r, batch * g.outputSize(), 1);
          Conv2d.forward(g, batch, x, OFF, w, OFF, Conv2d.epilogue(bias, OFF, Activation.RELU), y, OFF, cols, OFF);
          float[] y2 = random(r, batch * g.outputSize(), 1);
          Conv2d.forward(g, batch, x, OFF, w, OFF, bias, OFF, Activation.RELU, y2, OFF, cols, OFF);
          float[] dw = dw0.clone();
          float[] db = db0.clone();
          float[] dx = dx0.clone();
          Conv2d.backward(g, batch, x, OFF, w, OFF, dz, OFF, dw, OFF, db, OFF, dx, OFF, true, cols, OFF, dcols, OFF);
          float[][] got = {y, y2, dw, db, dx};
          if (first == null) {
            first = got;
            double scale = Math.sqrt(batch * g.outPixels());
            assertClose(what + " y", yRef, y, 1e-4, 1);
            assertClose(what + " y (bias, then accumulate)", yRef, y2, 1e-4, 1);
            assertClose(what + " dW", dwRef, dw, 1e-4, scale);
            assertClose(what + " dBias", dbRef, db, 1e-4, scale);
            assertClose(what + " dx", dxRef, dx, 1e-4, 3);
          } else {
            String[] names = {"y", "y (bias, then accumulate)", "dW", "dBias", "dx"};
            for (int i = 0; i < got.length; i++) {
              assertWithMessage("%s %s with %s threads vs 1", what, names[i], t).that(got[i]).isEqualTo(first[i]);
            }
          }
        }
      }
    }
  }

  @Test
  void poolingIsBitwiseIdenticalForAnyThreadCountAndMatchesTheReference() {
    List<PoolGeometry> pools = List.of(PoolGeometry.of(6, 28, 28, 2), PoolGeometry.of(8, 17, 15, 2),
        PoolGeometry.of(4, 33, 33, 3, 2));
    for (PoolGeometry g : pools) {
      for (int batch : BATCHES) {
        Random r = new Random(g.hashCode() * 13L + batch);
        float[] x = random(r, batch * g.inputSize(), 1);
        float[] dy = random(r, batch * g.outputSize(), 1);
        float[] dx0 = random(r, batch * g.inputSize(), 1);
        String what = g + " batch " + batch;
        float[][] ref = new float[6][];
        ref[0] = zeros(batch * g.outputSize());
        PoolingReference.maxForward(g, batch, x, OFF, ref[0], OFF);
        ref[1] = zeros(batch * g.outputSize());
        PoolingReference.reluMaxForward(g, batch, x, OFF, ref[1], OFF);
        ref[2] = zeros(batch * g.outputSize());
        PoolingReference.avgForward(g, batch, x, OFF, ref[2], OFF);
        ref[3] = dx0.clone();
        PoolingReference.maxBackward(g, batch, x, OFF, dy, OFF, ref[3], OFF, true);
        ref[4] = dx0.clone();
        PoolingReference.reluMaxBackward(g, batch, x, OFF, dy, OFF, ref[4], OFF, false);
        ref[5] = dx0.clone();
        PoolingReference.avgBackward(g, batch, dy, OFF, ref[5], OFF, true);
        for (int t : THREADS) {
          Parallelism.setThreads(t);
          float[][] got = new float[6][];
          got[0] = random(r, batch * g.outputSize(), 1);
          Pooling.maxForward(g, batch, x, OFF, got[0], OFF);
          got[1] = random(r, batch * g.outputSize(), 1);
          Pooling.reluMaxForward(g, batch, x, OFF, got[1], OFF);
          got[2] = random(r, batch * g.outputSize(), 1);
          Pooling.avgForward(g, batch, x, OFF, got[2], OFF);
          got[3] = dx0.clone();
          Pooling.maxBackward(g, batch, x, OFF, dy, OFF, got[3], OFF, true);
          got[4] = dx0.clone();
          Pooling.reluMaxBackward(g, batch, x, OFF, dy, OFF, got[4], OFF, false);
          got[5] = dx0.clone();
          Pooling.avgBackward(g, batch, dy, OFF, got[5], OFF, true);
          String[] names = {"max", "relu+max", "avg", "max backward", "relu+max backward", "avg backward"};
          for (int i = 0; i < 6; i++) {
            assertClose(what + " " + names[i] + " with " + t + " threads", ref[i], got[i], 1e-5, 1);
          }
        }
      }
    }
  }

  /**
   * One convolution layer object, reused across calls and thread counts (its pool workers pack
   * patches into their own buffers, kept between calls): every call equals the static kernel's
   * result bitwise, forward, weight, bias and input gradients.
   */
  @Test
  void aConvolutionLayerObjectMatchesTheKernelAcrossCallsAndThreadCounts() {
    int[] threadSequence = {1, 3, 2, 3, 1};
    for (ConvGeometry g : CONVS) {
      int batch = 13;
      Random r = new Random(g.hashCode() * 31L);
      float[] x = random(r, batch * g.inputSize(), 1);
      float[] w = random(r, g.weightSize(), 1);
      float[] bias = random(r, g.filters(), 1);
      float[] dz = random(r, batch * g.outputSize(), 1);
      float[] y = zeros(batch * g.outputSize());
      float[] dw = zeros(g.weightSize());
      float[] db = zeros(g.filters());
      float[] dx = zeros(batch * g.inputSize());
      float[] cols = zeros(g.colsSize());
      float[] dcols = zeros(g.colsSize());
      Conv2d layer = Conv2d.of(g)
          .weights(new At(w, OFF), new At(bias, OFF), Activation.RELU)
          .output(new At(y, OFF), new At(cols, OFF))
          .gradients(new At(dz, OFF), new At(dw, OFF), new At(db, OFF))
          .inputGradient(new At(dx, OFF), false)
          .backwardScratch(new At(cols, OFF), new At(dcols, OFF))
          .build();
      for (int t : threadSequence) {
        Parallelism.setThreads(t);
        String what = g + " with " + t + " threads";
        float[] yWant = zeros(batch * g.outputSize());
        Conv2d.forward(g, batch, x, OFF, w, OFF, Conv2d.epilogue(bias, OFF, Activation.RELU), yWant, OFF, zeros(g.colsSize()), OFF);
        float[] dwWant = dw.clone();
        float[] dbWant = db.clone();
        float[] dxWant = zeros(batch * g.inputSize());
        Conv2d.backward(g, batch, x, OFF, w, OFF, dz, OFF, dwWant, OFF, dbWant, OFF, dxWant, OFF, false, zeros(g.colsSize()), OFF,
            zeros(g.colsSize()), OFF);
        layer.forward(batch, x, OFF);
        layer.backward(batch, x, OFF);
        assertWithMessage("%s y", what).that(y).isEqualTo(yWant);
        assertWithMessage("%s dW (accumulated over calls)", what).that(dw).isEqualTo(dwWant);
        assertWithMessage("%s dBias (accumulated over calls)", what).that(db).isEqualTo(dbWant);
        assertWithMessage("%s dx", what).that(dx).isEqualTo(dxWant);
      }
    }
  }

  @Test
  void aPoolingLayerObjectMatchesTheKernels() {
    PoolGeometry g = PoolGeometry.of(8, 33, 33, 3, 2);
    int batch = 9; // above the parallel threshold: the layer's own job runs the chunks
    Random r = new Random(3);
    float[] x = random(r, batch * g.inputSize(), 1);
    float[] dy = random(r, batch * g.outputSize(), 1);
    float[] dx0 = random(r, batch * g.inputSize(), 1);
    Parallelism.setThreads(3);
    for (Pooling.Kind kind : Pooling.Kind.values()) {
      float[] y = zeros(batch * g.outputSize());
      float[] dx = dx0.clone();
      Pooling layer = Pooling.of(g, kind, new At(y, OFF), new At(dy, OFF), new At(dx, OFF), true);
      layer.forward(batch, x, OFF);
      layer.backward(batch, x, OFF);
      float[] yWant = zeros(batch * g.outputSize());
      float[] dxWant = dx0.clone();
      switch (kind) {
        case MAX -> {
          Pooling.maxForward(g, batch, x, OFF, yWant, OFF);
          Pooling.maxBackward(g, batch, x, OFF, dy, OFF, dxWant, OFF, true);
        }
        case RELU_MAX -> {
          Pooling.reluMaxForward(g, batch, x, OFF, yWant, OFF);
          Pooling.reluMaxBackward(g, batch, x, OFF, dy, OFF, dxWant, OFF, true);
        }
        case AVERAGE -> {
          Pooling.avgForward(g, batch, x, OFF, yWant, OFF);
          Pooling.avgBackward(g, batch, dy, OFF, dxWant, OFF, true);
        }
      }
      assertWithMessage("%s y", kind).that(y).isEqualTo(yWant);
      assertWithMessage("%s dx", kind).that(dx).isEqualTo(dxWant);
    }
  }
}
