package io.kiln.runtime.panama;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import io.kiln.runtime.simd.LayerNormKernels;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector API layer-norm rows against their scalar twins on widths around the vector length, at
 * odd offsets, with and without γ and β: the element-wise passes bit for bit, the sums within
 * rounding, and nothing written outside the row.
 */
class PanamaLayerNormTest {
  private static final int OFF = 3;
  private final LayerNormKernels vec = new PanamaLayerNorm();
  private final LayerNormKernels ref = LayerNormKernels.SCALAR;

  private static float[] random(Random r, int n, double center, double scale) {
    float[] a = new float[n + 2 * OFF];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (center + r.nextGaussian() * scale);
    }
    return a;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 15, 16, 17, 33, 128, 130, 1000})
  void addIsBitwiseTheTwin(int n) {
    Random r = new Random(n);
    float[] x = random(r, n, 0, 1);
    float[] res = random(r, n, 0, 1);
    float[] a = random(r, n, 0, 1);
    float[] b = a.clone();
    vec.add(a, OFF, x, OFF, res, OFF, n);
    ref.add(b, OFF, x, OFF, res, OFF, n);
    assertThat(a).isEqualTo(b);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 15, 16, 17, 33, 128, 130, 1000})
  void statisticsAgreeWithinRounding(int n) {
    Random r = new Random(n);
    // the last case: far from zero, where a float sum would lose the variance
    for (double[] cs : new double[][] {{0, 1}, {3, 0.1}, {1e4, 1e-2}}) {
      float[] u = random(r, n, cs[0], cs[1]);
      float[] stats = new float[4];
      vec.statistics(u, OFF, n, 1e-5f, stats, 0, stats, 1);
      ref.statistics(u, OFF, n, 1e-5f, stats, 2, stats, 3);
      String what = "n=" + n + " around " + cs[0];
      assertWithMessage(what + " mean").that(stats[0]).isWithin(1e-6f * Math.max(1f, Math.abs(stats[2]))).of(stats[2]);
      assertWithMessage(what + " rstd").that(stats[1]).isWithin(1e-6f * stats[3]).of(stats[3]);
      if (cs[0] == 1e4 && n > 1) {
        double exact = exactRstd(u, n, 1e-5);
        assertWithMessage(what + " rstd against a long double sum").that((double) stats[1]).isWithin(1e-5 * exact)
            .of(exact);
      }
    }
  }

  private static double exactRstd(float[] u, int n, double eps) {
    java.math.BigDecimal s = java.math.BigDecimal.ZERO;
    for (int j = 0; j < n; j++) {
      s = s.add(new java.math.BigDecimal(u[OFF + j]));
    }
    double mu = s.doubleValue() / n;
    double q = 0;
    for (int j = 0; j < n; j++) {
      double d = u[OFF + j] - mu;
      q += d * d;
    }
    return 1 / Math.sqrt(q / n + eps);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 15, 16, 17, 33, 128, 130, 1000})
  void normalizeIsBitwiseTheTwin(int n) {
    Random r = new Random(n);
    float[] u = random(r, n, 0.5, 2);
    float[] gamma = random(r, n, 1, 0.5);
    float[] beta = random(r, n, 0, 0.5);
    for (int affine = 0; affine < 4; affine++) {
      float[] g = (affine & 1) != 0 ? gamma : null;
      float[] b = (affine & 2) != 0 ? beta : null;
      float[] y1 = random(r, n, 0, 1);
      float[] y2 = y1.clone();
      vec.normalize(y1, OFF, u, OFF, n, 0.4f, 1.3f, g, OFF, b, OFF);
      ref.normalize(y2, OFF, u, OFF, n, 0.4f, 1.3f, g, OFF, b, OFF);
      assertWithMessage("n=" + n + " gamma " + (g != null) + " beta " + (b != null)).that(y1).isEqualTo(y2);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 15, 16, 17, 33, 128, 130, 1000})
  void inputGradientAgreesWithinRounding(int n) {
    Random r = new Random(n);
    float[] u = random(r, n, 0.5, 2);
    float[] dy = random(r, n, 0, 1);
    float[] gamma = random(r, n, 1, 0.5);
    for (int c = 0; c < 4; c++) {
      float[] g = (c & 1) != 0 ? gamma : null;
      boolean accumulate = (c & 2) != 0;
      float[] du1 = random(r, n, 0, 1);
      float[] du2 = du1.clone();
      vec.inputGradient(du1, OFF, accumulate, dy, OFF, u, OFF, n, 0.4f, 0.7f, g, OFF);
      ref.inputGradient(du2, OFF, accumulate, dy, OFF, u, OFF, n, 0.4f, 0.7f, g, OFF);
      String what = "n=" + n + " gamma " + (g != null) + " accumulate " + accumulate;
      for (int i = 0; i < du1.length; i++) {
        if (i < OFF || i >= OFF + n) {
          assertWithMessage(what + " padding [" + i + "]").that(du1[i]).isEqualTo(du2[i]);
        } else {
          assertWithMessage(what + " [" + i + "]").that(du1[i]).isWithin(1e-5f * Math.max(1f, Math.abs(du2[i])))
              .of(du2[i]);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 15, 16, 17, 33, 128, 130, 1000})
  void inputGradientMayOverwriteDy(int n) {
    Random r = new Random(n);
    float[] u = random(r, n, 0.5, 2);
    float[] dy = random(r, n, 0, 1);
    float[] gamma = random(r, n, 1, 0.5);
    float[] separate = new float[dy.length];
    vec.inputGradient(separate, OFF, false, dy, OFF, u, OFF, n, 0.4f, 0.7f, gamma, OFF);
    vec.inputGradient(dy, OFF, false, dy, OFF, u, OFF, n, 0.4f, 0.7f, gamma, OFF);
    for (int i = OFF; i < OFF + n; i++) {
      assertWithMessage("n=" + n + " [" + i + "]").that(dy[i]).isEqualTo(separate[i]);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 15, 16, 17, 33, 128, 130, 1000})
  void parameterGradientsAreBitwiseTheTwin(int n) {
    Random r = new Random(n);
    float[] u = random(r, n, 0.5, 2);
    float[] dy = random(r, n, 0, 1);
    for (int c = 0; c < 4; c++) {
      float[] dg1 = (c & 1) != 0 ? random(r, n, 0, 1) : null;
      float[] db1 = (c & 2) != 0 ? random(r, n, 0, 1) : null;
      float[] dg2 = dg1 == null ? null : dg1.clone();
      float[] db2 = db1 == null ? null : db1.clone();
      vec.accumulateParameterGradients(dg1, OFF, db1, OFF, dy, OFF, u, OFF, n, 0.4f, 0.7f);
      ref.accumulateParameterGradients(dg2, OFF, db2, OFF, dy, OFF, u, OFF, n, 0.4f, 0.7f);
      assertWithMessage("n=" + n + " dGamma").that(dg1).isEqualTo(dg2);
      assertWithMessage("n=" + n + " dBeta").that(db1).isEqualTo(db2);
    }
  }
}
