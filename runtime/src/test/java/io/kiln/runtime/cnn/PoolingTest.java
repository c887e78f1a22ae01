package io.kiln.runtime.cnn;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static io.kiln.runtime.cnn.TestArrays.OFF;
import static io.kiln.runtime.cnn.TestArrays.assertClose;
import static io.kiln.runtime.cnn.TestArrays.random;
import static io.kiln.runtime.cnn.TestArrays.zeros;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Pooling} against {@link PoolingReference}, the worked example, and finite differences. */
class PoolingTest {

  static Stream<PoolGeometry> geometries() {
    List<PoolGeometry> g = new ArrayList<>();
    g.add(PoolGeometry.of(1, 4, 4, 2));
    g.add(PoolGeometry.of(3, 7, 7, 2)); // odd: the last row and column are in no window
    g.add(PoolGeometry.of(2, 13, 13, 2));
    g.add(PoolGeometry.of(2, 13, 7, 3)); // 3x3 stride 3
    g.add(PoolGeometry.of(2, 13, 13, 3, 2)); // overlapping windows
    g.add(PoolGeometry.of(2, 7, 13, 2, 3)); // gaps between windows
    g.add(PoolGeometry.of(1, 1, 1, 1)); // identity
    g.add(PoolGeometry.of(4, 3, 3, 3)); // global pool
    g.add(PoolGeometry.of(1, 13, 3, 1, 2)); // subsampling
    // rectangular windows and a stride per axis; H = 1 is a 1-D pool over [C, T] (ragged T)
    g.add(PoolGeometry.of(3, 1, 17, 1, 3, 1, 2));
    g.add(PoolGeometry.of(2, 1, 11, 1, 4, 1, 4));
    g.add(PoolGeometry.of(2, 1, 9, 1, 9, 1, 9)); // global average over T
    g.add(PoolGeometry.of(2, 9, 14, 3, 2, 1, 3));
    g.add(PoolGeometry.of(1, 6, 10, 2, 2, 2, 1)); // 2x2 window whose strides differ: not the 2x2 kernel
    // wide 2x2 planes: the vector kernel (16 outputs per step at 512 bits), overlapping last step
    g.add(PoolGeometry.of(2, 62, 62, 2));
    g.add(PoolGeometry.of(1, 5, 33, 2));
    g.add(PoolGeometry.of(1, 6, 65, 2));
    g.add(PoolGeometry.of(2, 9, 100, 2));
    // rows of windows no multiple of half a vector: the backward's overlapping last step (cnn64's p1, p2)
    g.add(PoolGeometry.of(2, 6, 62, 2));
    g.add(PoolGeometry.of(3, 5, 29, 2));
    // narrower than a vector of outputs: the half-width kernel (8 outputs at 512 bits), LeNet's first pool
    g.add(PoolGeometry.of(3, 28, 28, 2));
    g.add(PoolGeometry.of(1, 4, 19, 2));
    g.add(PoolGeometry.of(2, 3, 16, 2));
    return g.stream();
  }

  @Test
  void workedExample() {
    float[] x = {1, 3, 2, 4, 5, 6, 7, 8, 9, 2, 3, 1, 0, 1, 5, 2};
    PoolGeometry g = PoolGeometry.of(1, 4, 4, 2, 2);
    assertThat(g.outHeight()).isEqualTo(2);
    float[] y = new float[4];
    Pooling.maxForward(g, 1, x, 0, y, 0);
    assertThat(y).usingExactEquality().containsExactly(6, 8, 9, 5).inOrder();
    float[] dx = new float[16];
    Pooling.maxBackward(g, 1, x, 0, new float[] {10, 20, 30, 40}, 0, dx, 0, false);
    assertThat(dx).usingExactEquality()
        .containsExactly(0, 0, 0, 0, 0, 10, 0, 20, 30, 0, 0, 0, 0, 0, 40, 0).inOrder();
    Pooling.avgForward(g, 1, x, 0, y, 0);
    assertThat(y).usingExactEquality().containsExactly(15 / 4f, 21 / 4f, 12 / 4f, 11 / 4f).inOrder();
  }

  @Test
  void tiesGoToTheFirstMaxAndNaNPropagates() {
    PoolGeometry g = PoolGeometry.of(1, 2, 2, 2);
    float[] dx = new float[4];
    Pooling.maxBackward(g, 1, new float[] {1, 7, 7, 7}, 0, new float[] {1}, 0, dx, 0, false);
    assertThat(dx).usingExactEquality().containsExactly(0, 1, 0, 0).inOrder();
    float[] nan = {1, Float.NaN, 9, Float.NaN};
    float[] y = new float[1];
    Pooling.maxForward(g, 1, nan, 0, y, 0);
    assertThat(y[0]).isNaN();
    Pooling.maxBackward(g, 1, nan, 0, new float[] {1}, 0, dx, 0, false);
    assertThat(dx).usingExactEquality().containsExactly(0, 1, 0, 0).inOrder();
    PoolGeometry g3 = PoolGeometry.of(1, 3, 3, 3);
    float[] x3 = {1, 2, 3, 4, 5, 6, 9, 9, 9};
    float[] dx3 = new float[9];
    Pooling.maxBackward(g3, 1, x3, 0, new float[] {1}, 0, dx3, 0, false);
    assertThat(dx3[6]).isEqualTo(1f);
  }

  @ParameterizedTest
  @ValueSource(ints = {70, 22})
  void widePlanesPropagateNaNAndMapNegativeZeroLikeTheReference(int width) {
    PoolGeometry g = PoolGeometry.of(2, 8, width, 2);
    Random r = new Random(5);
    float[] x = random(r, g.inputSize() * 2, 1);
    for (int i = OFF; i < x.length; i += 37) {
      x[i] = Float.NaN;
    }
    for (int i = OFF + 3; i < x.length; i += 11) {
      x[i] = -0f;
    }
    for (int i = OFF + 5; i + width + 1 < x.length; i += 23) {
      x[i + 1] = x[i]; // ties along a row
      x[i + width] = x[i]; // and down a column
    }
    for (boolean relu : new boolean[] {false, true}) {
      float[] e = zeros(g.outputSize() * 2);
      float[] a = zeros(g.outputSize() * 2);
      if (relu) {
        PoolingReference.reluMaxForward(g, 2, x, OFF, e, OFF);
        Pooling.reluMaxForward(g, 2, x, OFF, a, OFF);
      } else {
        PoolingReference.maxForward(g, 2, x, OFF, e, OFF);
        Pooling.maxForward(g, 2, x, OFF, a, OFF);
      }
      for (int i = 0; i < e.length; i++) {
        if (Float.isNaN(e[i])) {
          assertThat(a[i]).isNaN();
        } else {
          assertThat(Float.floatToIntBits(a[i])).isEqualTo(Float.floatToIntBits(e[i]));
        }
      }
      // backward: ties (-0 and 0 are equal), NaN windows, stored and accumulated
      float[] dy = random(r, g.outputSize() * 2, 1);
      for (boolean accumulate : new boolean[] {false, true}) {
        float[] de = random(new Random(9), g.inputSize() * 2, 1);
        float[] da = de.clone();
        if (relu) {
          PoolingReference.reluMaxBackward(g, 2, x, OFF, dy, OFF, de, OFF, accumulate);
          Pooling.reluMaxBackward(g, 2, x, OFF, dy, OFF, da, OFF, accumulate);
        } else {
          PoolingReference.maxBackward(g, 2, x, OFF, dy, OFF, de, OFF, accumulate);
          Pooling.maxBackward(g, 2, x, OFF, dy, OFF, da, OFF, accumulate);
        }
        for (int i = 0; i < de.length; i++) {
          assertWithMessage("backward relu=%s accumulate=%s at %s", relu, accumulate, i)
              .that(Float.floatToIntBits(da[i])).isEqualTo(Float.floatToIntBits(de[i]));
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("geometries")
  void matchesReference(PoolGeometry g) {
    for (int batch : new int[] {1, 3}) {
      for (boolean accumulate : new boolean[] {false, true}) {
        Random r = new Random(g.hashCode() + batch);
        int in = batch * g.inputSize();
        int out = batch * g.outputSize();
        float[] x = random(r, in, 1);
        if (batch == 3) {
          x[OFF + 1] = x[OFF]; // a tie
        }
        float[] dy = random(r, out, 1);
        float[] dx0 = random(r, in, 1);
        String what = g + " batch " + batch + (accumulate ? " accumulate" : "");

        float[] e = zeros(out);
        float[] a = random(r, out, 1);
        PoolingReference.maxForward(g, batch, x, OFF, e, OFF);
        Pooling.maxForward(g, batch, x, OFF, a, OFF);
        assertClose(what + " max", e, a, 0, 0);
        float[] de = dx0.clone();
        float[] da = dx0.clone();
        PoolingReference.maxBackward(g, batch, x, OFF, dy, OFF, de, OFF, accumulate);
        Pooling.maxBackward(g, batch, x, OFF, dy, OFF, da, OFF, accumulate);
        assertClose(what + " max backward", de, da, 1e-6, 1);

        PoolingReference.avgForward(g, batch, x, OFF, e, OFF);
        Pooling.avgForward(g, batch, x, OFF, a, OFF);
        assertClose(what + " avg", e, a, 1e-5, 1);
        de = dx0.clone();
        da = dx0.clone();
        PoolingReference.avgBackward(g, batch, dy, OFF, de, OFF, accumulate);
        Pooling.avgBackward(g, batch, dy, OFF, da, OFF, accumulate);
        assertClose(what + " avg backward", de, da, 1e-5, 1);

        PoolingReference.reluMaxForward(g, batch, x, OFF, e, OFF);
        Pooling.reluMaxForward(g, batch, x, OFF, a, OFF);
        assertClose(what + " relu max", e, a, 0, 0);
        de = dx0.clone();
        da = dx0.clone();
        PoolingReference.reluMaxBackward(g, batch, x, OFF, dy, OFF, de, OFF, accumulate);
        Pooling.reluMaxBackward(g, batch, x, OFF, dy, OFF, da, OFF, accumulate);
        assertClose(what + " relu max backward", de, da, 1e-6, 1);
      }
    }
  }

  /** Distinct values at least 0.01 apart, so a step of 1e-3 never changes a window's argmax. */
  private static float[] distinct(Random r, int n) {
    float[] x = zeros(n);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    java.util.Collections.shuffle(order, r);
    for (int i = 0; i < n; i++) {
      x[OFF + i] = (order.get(i) - n / 2) * 0.01f + 0.005f; // none at ReLU's kink
    }
    return x;
  }

  @Test
  void finiteDifferences() {
    for (PoolGeometry g : new PoolGeometry[] {PoolGeometry.of(2, 7, 6, 2), PoolGeometry.of(1, 7, 7, 3, 2),
        PoolGeometry.of(2, 1, 13, 1, 3, 1, 2), PoolGeometry.of(1, 5, 8, 2, 3, 3, 2)}) {
      int batch = 2;
      Random rnd = new Random(3);
      float[] x = distinct(rnd, batch * g.inputSize());
      float[] r = random(rnd, batch * g.outputSize(), 1);
      float[] y = zeros(batch * g.outputSize());
      float[] dx = zeros(batch * g.inputSize());
      Pooling.maxBackward(g, batch, x, OFF, r, OFF, dx, OFF, false);
      TestArrays.checkGradient(g + " max x", x, batch * g.inputSize(), dx,
          () -> Pooling.maxForward(g, batch, x, OFF, y, OFF), r, y, 1e-3f, 1e-3);
      Pooling.avgBackward(g, batch, r, OFF, dx, OFF, false);
      TestArrays.checkGradient(g + " avg x", x, batch * g.inputSize(), dx,
          () -> Pooling.avgForward(g, batch, x, OFF, y, OFF), r, y, 1e-3f, 1e-3);
      Pooling.reluMaxBackward(g, batch, x, OFF, r, OFF, dx, OFF, false);
      TestArrays.checkGradient(g + " relu max x", x, batch * g.inputSize(), dx,
          () -> Pooling.reluMaxForward(g, batch, x, OFF, y, OFF), r, y, 1e-3f, 1e-3);
    }
  }

  @Test
  void geometryValidation() {
    assertThat(assertThrows(IllegalArgumentException.class, () -> new PoolGeometry(1, 7, 7, 2, 2, 4, 3)))
        .hasMessageThat().isEqualTo("pool output 4×3 is inconsistent with input 7×7, window 2×2, stride 2×2: expected 3×3"
            + " = (I − window) / stride + 1");
    assertThat(assertThrows(IllegalArgumentException.class, () -> PoolGeometry.of(1, 1, 7, 2)))
        .hasMessageThat().contains("pool window 2×2 is larger than the 1×7 input");
    assertThat(assertThrows(IllegalArgumentException.class, () -> PoolGeometry.of(1, 4, 4, 2, 0)))
        .hasMessageThat().isEqualTo("strideHeight must be positive but was 0");
    assertThat(assertThrows(IllegalArgumentException.class, () -> PoolGeometry.of(1, 1, 7, 1, 2, 1, 0)))
        .hasMessageThat().isEqualTo("strideWidth must be positive but was 0");
  }
}
