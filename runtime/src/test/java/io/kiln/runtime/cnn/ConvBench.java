package io.kiln.runtime.cnn;

import io.kiln.dsl.Activation;
import io.kiln.runtime.Parallelism;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.simd.Vectorization;
import java.util.Arrays;
import java.util.Random;

/**
 * Times the convolution layers of LeNet and cnn64 at batch 64 (forward, backward) and the pools.
 * Not a test: run by hand, e.g.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp runtime/target/classes:runtime/target/test-classes:dsl-annotations/target/classes \
 *     io.kiln.runtime.cnn.ConvBench
 * </pre>
 */
public final class ConvBench {
  private static final int BATCH = 64;

  private ConvBench() {}

  public static void main(String[] args) {
    System.out.println("kernels: " + Vectorization.provider().name() + ", threads: " + Parallelism.threads()
        + ", batch " + BATCH);
    conv("LeNet conv1 1->6 5x5 SAME 28x28", ConvGeometry.same(1, 28, 28, 6, 5, 5, 1), false);
    conv("LeNet conv2 6->16 5x5 VALID 14x14", ConvGeometry.valid(6, 14, 14, 16, 5, 5, 1), true);
    conv("cnn64 conv1 3->32 3x3 VALID 64x64", ConvGeometry.valid(3, 64, 64, 32, 3, 3, 1), false);
    conv("cnn64 conv2 32->64 3x3 VALID 31x31", ConvGeometry.valid(32, 31, 31, 64, 3, 3, 1), true);
    pool("LeNet pool1 6x28x28 2x2", PoolGeometry.of(6, 28, 28, 2));
    pool("cnn64 pool1 32x62x62 2x2", PoolGeometry.of(32, 62, 62, 2));
  }

  private static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian() * 0.1f;
    }
    return a;
  }

  private static void conv(String name, ConvGeometry g, boolean needDx) {
    Random r = new Random(1);
    float[] x = random(r, BATCH * g.inputSize());
    float[] w = random(r, g.weightSize());
    float[] b = random(r, g.filters());
    float[] y = new float[BATCH * g.outputSize()];
    float[] dz = random(r, y.length);
    float[] dw = new float[w.length];
    float[] db = new float[b.length];
    float[] dx = needDx ? new float[x.length] : null;
    float[] cols = new float[g.colsSize()];
    float[] dcols = new float[g.colsSize()];
    Epilogue ep = Conv2d.epilogue(b, 0, Activation.RELU);
    double flops = 2.0 * BATCH * g.filters() * g.patchSize() * g.outPixels();
    double fwd = time(() -> Conv2d.forward(g, BATCH, x, 0, w, 0, b, 0, Activation.RELU, y, 0, cols, 0));
    double fused = time(() -> Conv2d.forward(g, BATCH, x, 0, w, 0, ep, y, 0, cols, 0));
    double bwd = time(() -> Conv2d.backward(g, BATCH, x, 0, w, 0, dz, 0, dw, 0, db, 0, dx, 0, false, cols, 0,
        dcols, 0));
    float[] buf = new float[g.colsSize()];
    double im2col = time(() -> {
      for (int s = 0; s < BATCH; s++) {
        Conv2d.im2col(g, x, s * g.inputSize(), buf, 0);
      }
    });
    System.out.printf("%-36s forward %7.3f ms (%5.1f GFLOP/s), fused-epilogue forward %7.3f ms, backward%s %7.3f ms"
            + " (%5.1f GFLOP/s); im2col alone %6.3f ms%n",
        name, fwd, flops / fwd / 1e6, fused, needDx ? " (dW, dB, dx)" : " (dW, dB)", bwd,
        (needDx ? 2 : 1) * flops / bwd / 1e6, im2col);
  }

  private static void pool(String name, PoolGeometry g) {
    Random r = new Random(2);
    float[] x = random(r, BATCH * g.inputSize());
    float[] y = new float[BATCH * g.outputSize()];
    float[] dy = random(r, y.length);
    float[] dx = new float[x.length];
    double max = time(() -> Pooling.maxForward(g, BATCH, x, 0, y, 0));
    double reluMax = time(() -> Pooling.reluMaxForward(g, BATCH, x, 0, y, 0));
    double maxB = time(() -> Pooling.maxBackward(g, BATCH, x, 0, dy, 0, dx, 0, false));
    double avg = time(() -> Pooling.avgForward(g, BATCH, x, 0, y, 0));
    double avgB = time(() -> Pooling.avgBackward(g, BATCH, dy, 0, dx, 0, false));
    System.out.printf("%-36s max %6.3f ms, relu+max %6.3f ms, max backward %6.3f ms, avg %6.3f ms, avg backward %6.3f ms%n",
        name, max, reluMax, maxB, avg, avgB);
  }

  /** The best of 15 rounds' ms per call (robust to other processes on a shared machine), after ~1.5 s of warm-up. */
  private static double time(Runnable body) {
    long end = System.nanoTime() + 1_500_000_000L;
    int calls = 0;
    while (System.nanoTime() < end) {
      body.run();
      calls++;
    }
    int per = Math.max(1, calls / 30);
    double[] ms = new double[15];
    for (int round = 0; round < ms.length; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < per; i++) {
        body.run();
      }
      ms[round] = (System.nanoTime() - t0) / 1e6 / per;
    }
    Arrays.sort(ms);
    return ms[0];
  }
}
