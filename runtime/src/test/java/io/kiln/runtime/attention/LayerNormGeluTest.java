package io.kiln.runtime.attention;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.runtime.attention.AttnArrays.OFF;
import static io.kiln.runtime.attention.AttnArrays.assertClose;
import static io.kiln.runtime.attention.AttnArrays.random;
import static io.kiln.runtime.attention.AttnArrays.zeros;
import static org.junit.jupiter.api.Assertions.fail;

import io.kiln.runtime.At;
import io.kiln.runtime.Parallelism;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link LayerNorm} and {@link Gelu} against their references, finite differences, erf accuracy, threads. */
class LayerNormGeluTest {
  private static final float EPS = 1e-5f;

  static final class Ln {
    final int rows;
    final int n;
    final boolean residual;
    final boolean affine;
    final float[] x;
    final float[] r;
    final float[] sum;
    final float[] gamma;
    final float[] beta;
    final float[] y;
    final float[] mean;
    final float[] rstd;
    final float[] dy;
    final float[] du;
    final float[] dGamma;
    final float[] dBeta;
    /** The layer objects over these arrays, writing and accumulating du. */
    final LayerNorm layer;
    final LayerNorm accumulating;

    Ln(Random rnd, int rows, int n, boolean residual, boolean affine) {
      this.rows = rows;
      this.n = n;
      this.residual = residual;
      this.affine = affine;
      x = random(rnd, rows * n, 1);
      r = residual ? random(rnd, rows * n, 1) : null;
      sum = residual ? zeros(rows * n) : null;
      gamma = affine ? random(rnd, n, 1) : null;
      beta = affine ? random(rnd, n, 1) : null;
      y = zeros(rows * n);
      mean = zeros(rows);
      rstd = zeros(rows);
      dy = random(rnd, rows * n, 1);
      du = zeros(rows * n);
      dGamma = zeros(n);
      dBeta = zeros(n);
      layer = layer(false);
      accumulating = layer(true);
    }

    private static At at(float[] a) {
      return a == null ? At.NONE : new At(a, OFF);
    }

    private LayerNorm layer(boolean accumulate) {
      return LayerNorm.of(n, EPS)
          .parameters(at(gamma), at(beta))
          .residualSum(at(sum))
          .output(at(y), at(mean), at(rstd))
          .gradients(at(dy), affine ? at(dGamma) : At.NONE, affine ? at(dBeta) : At.NONE)
          .inputGradient(at(du), accumulate)
          .build();
    }

    void forward() {
      if (residual) {
        layer.forward(rows, x, OFF, r, OFF);
      } else {
        layer.forward(rows, x, OFF);
      }
    }

    void backward(boolean accumulate) {
      (accumulate ? accumulating : layer).backward(rows, residual ? sum : x, OFF);
    }

    double loss() {
      forward();
      return AttnArrays.dot(dy, y);
    }
  }

  @Test
  void layerNormMatchesTheReference() {
    Random rnd = new Random(1);
    for (int rows : new int[] {1, 3, 70}) {
      for (int n : new int[] {1, 2, 8, 65, 130}) {
        for (boolean residual : new boolean[] {false, true}) {
          for (boolean affine : new boolean[] {false, true}) {
            Ln c = new Ln(rnd, rows, n, residual, affine);
            String what = rows + "×" + n + (residual ? " +r" : "") + (affine ? " affine" : "");
            float[] y = zeros(rows * n);
            float[] mean = zeros(rows);
            float[] rstd = zeros(rows);
            float[] sum = residual ? zeros(rows * n) : null;
            LayerNormReference.forward(rows, n, EPS, c.x, OFF, c.r, OFF, sum, OFF, c.gamma, OFF, c.beta, OFF, y, OFF,
                mean, OFF, rstd, OFF);
            c.forward();
            assertClose(what + " y", y, c.y, 1e-5, 1);
            assertClose(what + " mean", mean, c.mean, 1e-5, 1);
            assertClose(what + " rstd", rstd, c.rstd, 1e-5, 1);
            if (residual) {
              assertThat(Arrays.equals(sum, c.sum)).isTrue();
            }
            boolean accumulate = rnd.nextBoolean();
            float[] du = random(rnd, rows * n, 1);
            float[] dG = random(rnd, n, 1);
            float[] dB = random(rnd, n, 1);
            System.arraycopy(du, 0, c.du, 0, du.length);
            System.arraycopy(dG, 0, c.dGamma, 0, dG.length);
            System.arraycopy(dB, 0, c.dBeta, 0, dB.length);
            LayerNormReference.backward(rows, n, EPS, residual ? c.sum : c.x, OFF, c.gamma, OFF, c.dy, OFF, du, OFF,
                accumulate, affine ? dG : null, OFF, affine ? dB : null, OFF);
            c.backward(accumulate);
            assertClose(what + " du", du, c.du, 1e-4, 1);
            assertClose(what + " dGamma", dG, c.dGamma, 1e-4, 1);
            assertClose(what + " dBeta", dB, c.dBeta, 1e-4, 1);
          }
        }
      }
    }
  }

  @Test
  void layerNormGradientsMatchFiniteDifferences() {
    for (boolean residual : new boolean[] {false, true}) {
      Ln c = new Ln(new Random(residual ? 2 : 3), 3, 6, residual, true);
      c.forward();
      c.backward(false);
      AttnArrays.checkGradient("x", c.x, c.du, c::loss, 1e-2f, 3e-3, 1e-2);
      if (residual) {
        AttnArrays.checkGradient("r", c.r, c.du, c::loss, 1e-2f, 3e-3, 1e-2);
      }
      AttnArrays.checkGradient("gamma", c.gamma, c.dGamma, c::loss, 1e-2f, 3e-3, 1e-2);
      AttnArrays.checkGradient("beta", c.beta, c.dBeta, c::loss, 1e-2f, 3e-3, 1e-2);
    }
  }

  @Test
  void layerNormMayWriteInPlace() {
    Ln c = new Ln(new Random(4), 5, 9, true, true);
    c.forward();
    float[] y = c.y.clone();
    float[] x = c.x.clone();
    LayerNorm.forward(5, 9, EPS, x, OFF, c.r, OFF, x, OFF, c.gamma, OFF, c.beta, OFF, x, OFF, c.mean, OFF, c.rstd, OFF);
    assertThat(Arrays.equals(x, y)).isTrue();
    c.backward(false);
    float[] du = c.du.clone();
    float[] g = c.dy.clone();
    LayerNorm.backward(5, 9, c.sum, OFF, c.gamma, OFF, c.mean, OFF, c.rstd, OFF, g, OFF, g, OFF, false, null, 0, null, 0);
    assertThat(Arrays.equals(g, du)).isTrue();
  }

  @Test
  void erfIsAccurateToAbout1e7() {
    double worst = 0;
    for (float x = -9f; x <= 9f; x = Math.nextUp(x + 3e-4f)) {
      worst = Math.max(worst, Math.abs(Gelu.erf(x) - GeluReference.erf(x)));
    }
    assertThat(worst).isLessThan(1.5e-7);
    assertThat(Gelu.erf(0f)).isEqualTo(0f);
    assertThat(Gelu.erf(Float.POSITIVE_INFINITY)).isEqualTo(1f);
    assertThat(Gelu.erf(Float.NEGATIVE_INFINITY)).isEqualTo(-1f);
    assertThat(Float.isNaN(Gelu.erf(Float.NaN))).isTrue();
  }

  @Test
  void geluMatchesTheReference() {
    Random rnd = new Random(5);
    int n = 100_003; // several parallel chunks and a ragged one
    float[] x = random(rnd, n, 3);
    float[] y = zeros(n);
    float[] yRef = zeros(n);
    Gelu.forward(n, x, OFF, y, OFF);
    GeluReference.forward(n, x, OFF, yRef, OFF);
    float[] dy = random(rnd, n, 1);
    float[] dx = random(rnd, n, 1);
    float[] dxRef = dx.clone();
    Gelu.backward(n, x, OFF, dy, OFF, dx, OFF, true);
    GeluReference.backward(n, x, OFF, dy, OFF, dxRef, OFF, true);
    for (int i = OFF; i < OFF + n; i++) {
      // absolute 2e-7 plus relative 1e-6
      if (!(Math.abs(y[i] - yRef[i]) <= 2e-7 + 1e-6 * Math.abs(yRef[i]))) {
        fail("gelu(" + x[i] + ") = " + y[i] + ", expected " + yRef[i]);
      }
      if (!(Math.abs(dx[i] - dxRef[i]) <= 5e-7 + 1e-6 * Math.abs(dxRef[i]))) {
        fail("gelu backward at " + x[i] + ": " + dx[i] + ", expected " + dxRef[i]);
      }
    }
    AttnArrays.guards("y", y);
    AttnArrays.guards("dx", dx);
    // the tail: 1 + erf(z) is erfc(|z|), so gelu keeps its relative accuracy for negative x
    assertThat(Math.abs(Gelu.gelu(-6f) / GeluReference.gelu(-6) - 1)).isLessThan(1e-5);
  }

  @Test
  void geluGradientMatchesFiniteDifferences() {
    Random rnd = new Random(6);
    int n = 40;
    float[] x = random(rnd, n, 2);
    float[] y = zeros(n);
    float[] dy = random(rnd, n, 1);
    float[] dx = zeros(n);
    Gelu.backward(n, x, OFF, dy, OFF, dx, OFF, false);
    AttnArrays.checkGradient("x", x, dx, () -> {
      Gelu.forward(n, x, OFF, y, OFF);
      return AttnArrays.dot(dy, y);
    }, 1e-2f, 1e-3, 1e-2);
  }

  @Test
  void resultsAreBitwiseIdenticalWithOneOrTwoThreads() {
    int before = Parallelism.threads();
    try {
      Ln[] ln = new Ln[2];
      float[][] gelu = new float[2][];
      for (int t = 1; t <= 2; t++) {
        Parallelism.setThreads(t);
        Ln c = new Ln(new Random(8), 200, 130, true, true);
        c.forward();
        c.backward(false);
        ln[t - 1] = c;
        float[] x = random(new Random(9), 70_000, 2);
        float[] dx = zeros(70_000);
        Gelu.backward(70_000, x, OFF, x, OFF, dx, OFF, false);
        Gelu.forward(70_000, x, OFF, x, OFF);
        float[] both = Arrays.copyOf(x, x.length + dx.length);
        System.arraycopy(dx, 0, both, x.length, dx.length);
        gelu[t - 1] = both;
      }
      assertThat(Arrays.equals(ln[0].y, ln[1].y)).isTrue();
      assertThat(Arrays.equals(ln[0].du, ln[1].du)).isTrue();
      assertThat(Arrays.equals(ln[0].dGamma, ln[1].dGamma)).isTrue();
      assertThat(Arrays.equals(ln[0].dBeta, ln[1].dBeta)).isTrue();
      assertThat(Arrays.equals(gelu[0], gelu[1])).isTrue();
    } finally {
      Parallelism.setThreads(before);
    }
  }
}
