package io.kiln.runtime.panama;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import io.kiln.dsl.Activation;
import io.kiln.runtime.cnn.Conv2d;
import io.kiln.runtime.cnn.ConvGeometry;
import io.kiln.runtime.cnn.ConvReference;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.simd.DirectConvolution;
import io.kiln.runtime.simd.DirectConvolution.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Vector API direct convolution against its scalar twin (bitwise: same fused multiply-adds in
 * the same order) and the twin against {@link ConvReference}, on ragged shapes that take both of
 * its paths (outputs across the lanes for few filters, filters across the lanes for more): rows
 * shorter and longer than a vector and than a block, filter counts off the blocks, paddings of every side.
 */
class PanamaDirectConvolutionTest {
  private static final int OFF = 3;
  private static final DirectConvolution VECTOR = new PanamaDirectConvolution();

  static List<Shape> shapes() {
    List<Shape> shapes = new ArrayList<>();
    shapes.add(shape(1, 28, 28, 6, 5, 5, 2, 2)); // LeNet's first convolution
    shapes.add(shape(6, 14, 14, 16, 5, 5, 0, 0)); // LeNet's second
    shapes.add(shape(1, 1, 1, 1, 1, 1, 0, 0));
    shapes.add(shape(2, 3, 40, 3, 3, 3, 1, 1)); // rows of several vectors, a ragged last one
    shapes.add(shape(3, 5, 5, 7, 5, 5, 4, 4)); // padding reaching past the image
    shapes.add(shape(1, 9, 17, 5, 3, 4, 0, 3)); // asymmetric: the right edge gets no padding
    shapes.add(shape(3, 6, 23, 20, 3, 3, 1, 1)); // filters across lanes: a ragged second vector of filters
    shapes.add(shape(2, 4, 5, 33, 2, 3, 0, 1)); // three vectors of filters, rows shorter than a block
    shapes.add(shape(3, 7, 64, 32, 3, 3, 0, 0)); // cnn64's first convolution's rows: 4 × 6 blocks, 32 filters
    shapes.add(shape(2, 5, 19, 5, 3, 3, 1, 1)); // 6 × 4 blocks with a repeated filter
    shapes.add(shape(4, 8, 8, 24, 3, 3, 1, 1)); // filters across lanes, 3-wide kernel rows in registers
    shapes.add(shape(3, 9, 7, 12, 4, 5, 2, 0)); // ... 5-wide
    Random r = new Random(7);
    while (shapes.size() < 40) {
      int h = 1 + r.nextInt(20), w = 1 + r.nextInt(40);
      int kh = 1 + r.nextInt(Math.min(h, 5)), kw = 1 + r.nextInt(Math.min(w, 5));
      shapes.add(shape(1 + r.nextInt(4), h, w, 1 + r.nextInt(24), kh, kw, r.nextInt(kh), r.nextInt(kw)));
    }
    return shapes;
  }

  /** A stride-1 shape with the given top/left padding and the same padding at the bottom/right. */
  private static Shape shape(int c, int h, int w, int f, int kh, int kw, int padTop, int padLeft) {
    int oh = h + 2 * padTop - kh + 1, ow = w + 2 * padLeft - kw + 1;
    return new Shape(c, h, w, f, kh, kw, padTop, padLeft, Math.max(oh, 1), Math.max(ow, 1));
  }

  @Test
  void matchesTheScalarTwinBitwise() {
    for (Shape s : shapes()) {
      for (Activation act : new Activation[] {Activation.NONE, Activation.RELU, Activation.TANH}) {
        for (boolean withBias : new boolean[] {false, true}) {
          Random r = new Random(s.hashCode() * 31L + act.ordinal());
          float[] x = random(r, s.channels() * s.height() * s.width());
          float[] w = random(r, s.filters() * s.patchSize());
          float[] bias = random(r, s.filters());
          Epilogue ep = Epilogue.of(false, withBias ? Epilogue.Bias.PER_ROW : Epilogue.Bias.NONE,
              withBias ? bias : null, OFF, act);
          int n = s.filters() * s.outHeight() * s.outWidth();
          float[] expected = run(DirectConvolution.SCALAR, s, x, w, ep, n);
          float[] actual = run(VECTOR, s, x, w, ep, n);
          String what = s + " " + act + (withBias ? " +bias" : "");
          assertWithMessage(what).that(bits(actual)).isEqualTo(bits(expected));
          assertThat(actual[OFF - 1]).isNaN(); // the output's guards are untouched
          assertThat(actual[OFF + n]).isNaN();
        }
      }
    }
  }

  /**
   * The weights prepared once serve call after call: a second sample on the same scratch and
   * prepared copy gets the bits of a call with everything fresh.
   */
  @Test
  void preparedWeightsServeTheNextSample() {
    for (Shape s : shapes()) {
      Random r = new Random(s.hashCode() + 5);
      int in = s.channels() * s.height() * s.width();
      float[] first = random(r, in);
      float[] second = random(r, in);
      float[] w = random(r, s.filters() * s.patchSize());
      float[] bias = random(r, s.filters());
      Epilogue ep = Epilogue.of(false, Epilogue.Bias.PER_ROW, bias, OFF, Activation.RELU);
      int n = s.filters() * s.outHeight() * s.outWidth();
      float[] scratch = new float[s.scratchSize() + 2 * OFF];
      float[] prepared = new float[VECTOR.preparedWeightsSize(s) + 2 * OFF];
      VECTOR.prepareWeights(s, w, OFF, prepared, OFF);
      float[] y = new float[n + 2 * OFF];
      Arrays.fill(y, Float.NaN);
      VECTOR.forward(s, first, OFF, w, OFF, prepared, OFF, ep, y, OFF, scratch, OFF);
      VECTOR.forward(s, second, OFF, w, OFF, prepared, OFF, ep, y, OFF, scratch, OFF);
      assertWithMessage(s.toString()).that(bits(y)).isEqualTo(bits(run(VECTOR, s, second, w, ep, n)));
    }
  }

  @Test
  void scalarTwinMatchesTheReference() {
    for (Shape s : shapes()) {
      Random r = new Random(s.hashCode());
      float[] x = random(r, s.channels() * s.height() * s.width());
      float[] w = random(r, s.filters() * s.patchSize());
      float[] bias = random(r, s.filters());
      ConvGeometry g = ConvGeometry.explicit(s.channels(), s.height(), s.width(), s.filters(), s.kernelHeight(),
          s.kernelWidth(), 1, s.padTop(), s.padLeft());
      assertThat(g.outHeight()).isEqualTo(s.outHeight());
      assertThat(g.outWidth()).isEqualTo(s.outWidth());
      int n = g.outputSize();
      float[] expected = new float[n + 2 * OFF];
      ConvReference.forward(g, 1, x, OFF, w, OFF, bias, OFF, Activation.RELU, expected, OFF);
      float[] actual = run(DirectConvolution.SCALAR, s, x, w,
          Epilogue.of(false, Epilogue.Bias.PER_ROW, bias, OFF, Activation.RELU), n);
      for (int i = 0; i < n; i++) {
        float e = expected[OFF + i];
        assertWithMessage("%s output %s", s, i).that((double) actual[OFF + i])
            .isWithin(1e-4 * Math.max(1, Math.abs(e))).of(e);
      }
    }
  }

  @Test
  void col2imMatchesTheScalarTwinAndTheGenericLoopBitwise() {
    List<Shape> shapes = shapes();
    shapes.add(shape(32, 31, 31, 64, 3, 3, 0, 0)); // cnn64's second convolution: a vector and an overlapping one a row
    shapes.add(shape(2, 5, 70, 1, 3, 5, 0, 2)); // several vectors a row, a ragged end
    for (Shape s : shapes) {
      ConvGeometry g = ConvGeometry.explicit(s.channels(), s.height(), s.width(), s.filters(), s.kernelHeight(),
          s.kernelWidth(), 1, s.padTop(), s.padLeft());
      int in = s.channels() * s.height() * s.width();
      Random r = new Random(s.hashCode());
      float[] dcols = random(r, g.colsSize());
      for (int i = OFF; i < OFF + g.colsSize(); i += 7) {
        dcols[i] = -0f; // a sum of signed zeros must keep its sign as the generic loop's does
      }
      float[] dx0 = random(r, in);
      for (boolean accumulate : new boolean[] {false, true}) {
        float[] generic = dx0.clone();
        if (!accumulate) {
          Arrays.fill(generic, OFF, OFF + in, 0f);
        }
        Conv2d.col2imAdd(g, dcols, OFF, generic, OFF);
        float[] twin = dx0.clone();
        DirectConvolution.SCALAR.col2im(s, dcols, OFF, twin, OFF, accumulate);
        float[] vector = dx0.clone();
        VECTOR.col2im(s, dcols, OFF, vector, OFF, accumulate);
        String what = s + (accumulate ? " accumulate" : "");
        assertWithMessage("twin " + what).that(bits(twin)).isEqualTo(bits(generic));
        assertWithMessage("vector " + what).that(bits(vector)).isEqualTo(bits(twin));
      }
    }
  }

  private static float[] run(DirectConvolution kernel, Shape s, float[] x, float[] w, Epilogue ep, int n) {
    float[] y = new float[n + 2 * OFF];
    Arrays.fill(y, Float.NaN);
    float[] scratch = new float[s.scratchSize() + 2 * OFF];
    Arrays.fill(scratch, Float.NaN); // the kernel must not read scratch it did not write
    float[] prepared = new float[kernel.preparedWeightsSize(s) + 2 * OFF];
    Arrays.fill(prepared, Float.NaN); // nor prepared weights outside what prepareWeights wrote
    kernel.prepareWeights(s, w, OFF, prepared, OFF);
    kernel.forward(s, x, OFF, w, OFF, prepared, OFF, ep, y, OFF, scratch, OFF);
    return y;
  }

  private static float[] random(Random r, int n) {
    float[] a = new float[n + 2 * OFF];
    Arrays.fill(a, Float.NaN);
    for (int i = 0; i < n; i++) {
      a[OFF + i] = (float) r.nextGaussian();
    }
    return a;
  }

  private static int[] bits(float[] a) {
    int[] b = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = Float.floatToIntBits(a[i]);
    }
    return b;
  }
}
