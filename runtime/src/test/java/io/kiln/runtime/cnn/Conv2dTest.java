package io.kiln.runtime.cnn;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.runtime.cnn.TestArrays.OFF;
import static io.kiln.runtime.cnn.TestArrays.assertClose;
import static io.kiln.runtime.cnn.TestArrays.random;
import static io.kiln.runtime.cnn.TestArrays.zeros;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.dsl.Activation;
import io.kiln.runtime.At;
import io.kiln.runtime.Parallelism;
import io.kiln.runtime.gemm.Epilogue;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Conv2d} (im2col + the chosen GEMM) against {@link ConvReference}, and finite differences. */
class Conv2dTest {

  static Stream<ConvGeometry> geometries() {
    List<ConvGeometry> g = new ArrayList<>();
    g.add(ConvGeometry.valid(1, 1, 1, 1, 1, 1, 1));
    g.add(ConvGeometry.valid(1, 5, 5, 1, 3, 3, 1));
    g.add(ConvGeometry.same(1, 5, 5, 2, 3, 3, 1));
    g.add(ConvGeometry.same(1, 3, 3, 2, 3, 3, 1));
    g.add(ConvGeometry.same(3, 7, 7, 4, 3, 3, 1));
    g.add(ConvGeometry.same(3, 7, 7, 4, 3, 3, 2));
    g.add(ConvGeometry.valid(2, 13, 13, 5, 3, 5, 1));
    g.add(ConvGeometry.valid(2, 13, 13, 5, 3, 5, 2));
    g.add(ConvGeometry.same(2, 13, 13, 5, 3, 5, 2));
    g.add(ConvGeometry.same(3, 13, 13, 4, 4, 4, 2)); // even kernel: the extra pad row is at the bottom
    // stride-1 SAME: im2col's flat-run path (asymmetric pads, kernel larger than the image, lenet's conv1)
    g.add(ConvGeometry.same(2, 6, 9, 3, 4, 4, 1));
    g.add(ConvGeometry.same(1, 3, 3, 2, 5, 5, 1));
    g.add(ConvGeometry.same(1, 2, 7, 2, 5, 3, 1));
    g.add(ConvGeometry.same(1, 28, 28, 6, 5, 5, 1));
    g.add(ConvGeometry.valid(3, 9, 40, 21, 3, 3, 1)); // many filters, a short patch over wide rows: direct
    g.add(ConvGeometry.valid(4, 13, 7, 3, 1, 1, 1)); // pointwise: no im2col
    g.add(ConvGeometry.valid(4, 13, 7, 3, 1, 1, 2));
    g.add(ConvGeometry.explicit(2, 7, 13, 3, 3, 3, 2, 1));
    g.add(ConvGeometry.explicit(2, 7, 7, 3, 5, 3, 1, 2, 1));
    g.add(ConvGeometry.explicit(1, 7, 7, 1, 3, 3, 3, 2)); // stride > pad region; implied negative bottom pad
    g.add(ConvGeometry.valid(3, 13, 13, 7, 13, 13, 1)); // kernel covers the image: a dense layer
    // a stride and dilation per axis (PyTorch's stride=(1, 3), dilation=2), padding per axis, ragged sizes
    g.add(ConvGeometry.explicit(2, 7, 13, 3, 3, 3, new ConvGeometry.Steps(1, 3, 1, 1), 0, 1));
    g.add(ConvGeometry.explicit(2, 9, 11, 3, 3, 3, new ConvGeometry.Steps(1, 1, 2, 2), 2, 2)); // dilated, flat stride-1 rows
    g.add(ConvGeometry.explicit(1, 13, 7, 2, 3, 2, new ConvGeometry.Steps(2, 1, 3, 2), 1, 0));
    g.add(ConvGeometry.explicit(3, 1, 17, 4, 1, 5, new ConvGeometry.Steps(1, 2, 1, 3), 0, 4)); // a dilated 1-D conv, H = 1
    g.add(ConvGeometry.explicit(2, 6, 6, 3, 2, 2, new ConvGeometry.Steps(3, 2, 4, 1), 3, 1)); // dilation wider than the stride
    Random r = new Random(42);
    int[] sizes = {1, 3, 7, 13};
    while (g.size() < 34) {
      int c = 1 + r.nextInt(4);
      int h = sizes[r.nextInt(4)];
      int w = sizes[r.nextInt(4)];
      int kh = 1 + r.nextInt(Math.min(h, 5));
      int kw = 1 + r.nextInt(Math.min(w, 5));
      int s = 1 + r.nextInt(2);
      int f = 1 + r.nextInt(6);
      switch (r.nextInt(3)) {
        case 0 -> g.add(ConvGeometry.valid(c, h, w, f, kh, kw, s));
        case 1 -> g.add(ConvGeometry.same(c, h, w, f, kh, kw, s));
        default -> g.add(ConvGeometry.explicit(c, h, w, f, kh, kw, s, r.nextInt(kh), r.nextInt(kw)));
      }
    }
    return g.stream();
  }

  @ParameterizedTest
  @MethodSource("geometries")
  void forwardMatchesReference(ConvGeometry g) {
    for (int batch : new int[] {1, 3}) {
      Random r = new Random(g.hashCode() + batch);
      float[] x = random(r, batch * g.inputSize(), 1);
      float[] w = random(r, g.weightSize(), 1);
      float[] bias = random(r, g.filters(), 1);
      float[] cols = zeros(g.colsSize());
      for (Activation act : new Activation[] {Activation.NONE, Activation.RELU, Activation.TANH}) {
        for (boolean withBias : new boolean[] {false, true}) {
          float[] b = withBias ? bias : null;
          float[] expected = zeros(batch * g.outputSize());
          ConvReference.forward(g, batch, x, OFF, w, OFF, b, OFF, act, expected, OFF);
          float[] y = random(r, batch * g.outputSize(), 1); // garbage: forward overwrites
          Conv2d.forward(g, batch, x, OFF, w, OFF, b, OFF, act, y, OFF, cols, OFF);
          String what = g + " batch " + batch + " " + act + (withBias ? " +bias" : "");
          assertClose(what, expected, y, 1e-4, 1);
          float[] fused = random(r, batch * g.outputSize(), 1);
          Conv2d.forward(g, batch, x, OFF, w, OFF, Conv2d.epilogue(b, OFF, act), fused, OFF, cols, OFF);
          assertClose(what + " fused epilogue", expected, fused, 1e-4, 1);
        }
      }
      assertThat(cols[OFF - 1]).isNaN();
      assertThat(cols[OFF + g.colsSize()]).isNaN();
    }
  }

  @ParameterizedTest
  @MethodSource("geometries")
  void backwardMatchesReference(ConvGeometry g) {
    for (int batch : new int[] {1, 3}) {
      for (boolean accumulateDx : new boolean[] {false, true}) {
        Random r = new Random(g.hashCode() * 31 + batch);
        float[] x = random(r, batch * g.inputSize(), 1);
        float[] w = random(r, g.weightSize(), 1);
        float[] dz = random(r, batch * g.outputSize(), 1);
        // non-zero starting gradients prove dW and dBias accumulate (and dx does when asked to)
        float[] dw0 = random(r, g.weightSize(), 1);
        float[] db0 = random(r, g.filters(), 1);
        float[] dx0 = random(r, batch * g.inputSize(), 1);
        float[] dw = dw0.clone();
        float[] db = db0.clone();
        float[] dx = dx0.clone();
        ConvReference.backward(g, batch, x, OFF, w, OFF, dz, OFF, dw0, OFF, db0, OFF, dx0, OFF, accumulateDx);
        float[] cols = zeros(g.colsSize());
        float[] dcols = zeros(g.colsSize());
        Conv2d.backward(g, batch, x, OFF, w, OFF, dz, OFF, dw, OFF, db, OFF, dx, OFF, accumulateDx, cols, OFF, dcols,
            OFF);
        String what = g + " batch " + batch + (accumulateDx ? " accumulate" : "");
        double scale = Math.sqrt(batch * g.outPixels());
        assertClose(what + " dW", dw0, dw, 1e-4, scale);
        assertClose(what + " dBias", db0, db, 1e-4, scale);
        assertClose(what + " dx", dx0, dx, 1e-4, 3);
      }
    }
  }

  /**
   * A layer keeps the direct path's rearranged weights between calls: after its weights change in
   * place (as an optimizer step, a load or a user's write does), in one element or in the sign of a
   * zero, it gives a fresh computation's bits, and until then the same bits call after call.
   */
  @Test
  void aLayerSeesItsWeightsChangeInPlace() {
    for (ConvGeometry g : new ConvGeometry[] {ConvGeometry.valid(6, 14, 14, 16, 5, 5, 1),
        ConvGeometry.same(1, 28, 28, 6, 5, 5, 1), ConvGeometry.valid(3, 9, 11, 11, 3, 3, 1)}) {
      Random r = new Random(g.hashCode());
      float[] x = random(r, 2 * g.inputSize(), 1);
      float[] w = random(r, g.weightSize(), 1);
      float[] bias = random(r, g.filters(), 1);
      float[] y = zeros(2 * g.outputSize());
      float[] cols = zeros(g.colsSize());
      Conv2d layer = Conv2d.of(g).weights(new At(w, OFF), new At(bias, OFF), Activation.NONE)
          .output(new At(y, OFF), new At(cols, OFF)).build();
      for (int change = 0; change < 4; change++) {
        switch (change) {
          case 1 -> w[OFF + g.weightSize() - 1] += 0.5f; // the last filter's last tap
          case 2 -> w[OFF] = 0f;
          case 3 -> w[OFF] = -0f; // equal as a number, not as bits: a -0 weight can make a -0 output
          default -> { }
        }
        float[] want = zeros(2 * g.outputSize());
        Conv2d.forward(g, 2, x, OFF, w, OFF, Conv2d.epilogue(bias, OFF, Activation.NONE), want, OFF,
            zeros(g.colsSize()), OFF);
        for (int call = 0; call < 2; call++) {
          layer.forward(2, x, OFF);
          assertThat(bitsOf(y)).isEqualTo(bitsOf(want));
        }
      }
    }
  }

  private static int[] bitsOf(float[] a) {
    int[] bits = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      bits[i] = Float.floatToRawIntBits(a[i]);
    }
    return bits;
  }

  /** Which convolutions of the reference models run direct (the measured choice in Conv2d's constants). */
  @Test
  void theDirectPathTakesFewFiltersOrAShortPatchOverWideRows() {
    assertThat(Conv2d.directShape(ConvGeometry.same(1, 28, 28, 6, 5, 5, 1))).isNotNull(); // LeNet
    assertThat(Conv2d.directShape(ConvGeometry.valid(6, 14, 14, 16, 5, 5, 1))).isNotNull();
    assertThat(Conv2d.directShape(ConvGeometry.valid(3, 64, 64, 32, 3, 3, 1))).isNotNull(); // cnn64: 27 taps
    assertThat(Conv2d.directShape(ConvGeometry.valid(32, 31, 31, 64, 3, 3, 1))).isNull(); // 288 taps: the GEMM
    assertThat(Conv2d.directShape(ConvGeometry.valid(3, 12, 12, 32, 3, 3, 1))).isNull(); // rows under a vector
    assertThat(Conv2d.directShape(ConvGeometry.valid(3, 64, 64, 32, 3, 3, 2))).isNull(); // strided
  }

  /**
   * Many filters over a short patch run direct when every thread has a sample and through the GEMM
   * otherwise: both give the same bits, so a result does not depend on the thread count.
   */
  @Test
  void theDirectAndGemmPathsAgreeBitwise() {
    ConvGeometry g = ConvGeometry.valid(3, 9, 40, 21, 3, 3, 1);
    assertThat(Conv2d.directShape(g)).isNotNull();
    Random r = new Random(9);
    float[] x = random(r, g.inputSize(), 1);
    float[] w = random(r, g.weightSize(), 1);
    float[] bias = random(r, g.filters(), 1);
    int before = Parallelism.threads();
    try {
      float[][] y = new float[2][];
      for (int threads = 1; threads <= 2; threads++) {
        Parallelism.setThreads(threads); // batch 1: direct at 1 thread, the GEMM at 2
        y[threads - 1] = zeros(g.outputSize());
        Conv2d.forward(g, 1, x, OFF, w, OFF, Conv2d.epilogue(bias, OFF, Activation.RELU), y[threads - 1], OFF,
            zeros(g.colsSize()), OFF);
      }
      assertThat(bitsOf(y[1])).isEqualTo(bitsOf(y[0]));
    } finally {
      Parallelism.setThreads(before);
    }
  }

  @Test
  void backwardWithoutDxOrBiasLeavesThemAlone() {
    ConvGeometry g = ConvGeometry.same(2, 7, 7, 3, 3, 3, 1);
    Random r = new Random(1);
    float[] x = random(r, 2 * g.inputSize(), 1);
    float[] w = random(r, g.weightSize(), 1);
    float[] dz = random(r, 2 * g.outputSize(), 1);
    float[] expected = zeros(g.weightSize());
    ConvReference.backward(g, 2, x, OFF, w, OFF, dz, OFF, expected, OFF, null, 0, null, 0, false);
    float[] dw = zeros(g.weightSize());
    float[] cols = zeros(g.colsSize());
    // the same region as cols and dcols: allowed, dcols is only written when dx is wanted
    Conv2d.backward(g, 2, x, OFF, w, OFF, dz, OFF, dw, OFF, null, 0, null, 0, false, cols, OFF, cols, OFF);
    assertClose("dW", expected, dw, 1e-4, 3);
  }

  @Test
  void colsAndDcolsMayShareOneBuffer() {
    ConvGeometry g = ConvGeometry.same(2, 7, 7, 3, 3, 3, 2);
    Random r = new Random(2);
    float[] x = random(r, 3 * g.inputSize(), 1);
    float[] w = random(r, g.weightSize(), 1);
    float[] dz = random(r, 3 * g.outputSize(), 1);
    float[] dwA = zeros(g.weightSize());
    float[] dxA = zeros(3 * g.inputSize());
    ConvReference.backward(g, 3, x, OFF, w, OFF, dz, OFF, dwA, OFF, null, 0, dxA, OFF, false);
    float[] dwB = zeros(g.weightSize());
    float[] dxB = zeros(3 * g.inputSize());
    float[] scratch = zeros(g.colsSize());
    Conv2d.backward(g, 3, x, OFF, w, OFF, dz, OFF, dwB, OFF, null, 0, dxB, OFF, false, scratch, OFF, scratch, OFF);
    assertClose("dW", dwA, dwB, 1e-4, 3);
    assertClose("dx", dxA, dxB, 1e-4, 3);
  }

  static Stream<ConvGeometry> gradientGeometries() {
    return Stream.of(ConvGeometry.same(2, 5, 6, 3, 3, 2, 2),
        ConvGeometry.explicit(2, 7, 9, 3, 3, 2, new ConvGeometry.Steps(1, 2, 2, 3), 1, 2));
  }

  /** Conv is bilinear, so central differences of a double loss Σ r·y are exact up to float rounding. */
  @ParameterizedTest
  @MethodSource("gradientGeometries")
  void finiteDifferences(ConvGeometry g) {
    int batch = 2;
    Random rnd = new Random(7);
    float[] x = random(rnd, batch * g.inputSize(), 1);
    float[] w = random(rnd, g.weightSize(), 1);
    float[] bias = random(rnd, g.filters(), 1);
    float[] r = random(rnd, batch * g.outputSize(), 1);
    float[] dw = zeros(g.weightSize());
    float[] db = zeros(g.filters());
    float[] dx = zeros(batch * g.inputSize());
    float[] cols = zeros(g.colsSize());
    float[] dcols = zeros(g.colsSize());
    Conv2d.backward(g, batch, x, OFF, w, OFF, r, OFF, dw, OFF, db, OFF, dx, OFF, false, cols, OFF, dcols, OFF);
    float[] y = zeros(batch * g.outputSize());
    Runnable forward = () -> Conv2d.forward(g, batch, x, OFF, w, OFF, bias, OFF, Activation.NONE, y, OFF, cols, OFF);
    TestArrays.checkGradient("x", x, batch * g.inputSize(), dx, forward, r, y, 1e-2f, 2e-3);
    TestArrays.checkGradient("w", w, g.weightSize(), dw, forward, r, y, 1e-2f, 2e-3);
    TestArrays.checkGradient("bias", bias, g.filters(), db, forward, r, y, 1e-2f, 2e-3);
  }

  @Test
  void rejectsShortArraysWithClearMessages() {
    ConvGeometry g = ConvGeometry.valid(1, 5, 5, 2, 3, 3, 1);
    float[] x = new float[25];
    float[] w = new float[18];
    float[] y = new float[18];
    float[] cols = new float[g.colsSize() - 1];
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> Conv2d.forward(g, 1, x, 0, w, 0, null, 0, Activation.NONE, y, 0, cols, 0));
    assertThat(e).hasMessageThat().contains("cols: needs 81 floats");
    e = assertThrows(IndexOutOfBoundsException.class,
        () -> Conv2d.forward(g, 2, x, 0, w, 0, null, 0, Activation.NONE, y, 0, new float[81], 0));
    assertThat(e).hasMessageThat().contains("x: needs 50 floats at offset 0 but the array has 25");
    assertThrows(IllegalArgumentException.class,
        () -> Conv2d.forward(g, 1, x, 0, w, 0, Epilogue.ACCUMULATE, y, 0, new float[81], 0));
  }
}
