package io.kiln.runtime.cnn;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.runtime.cnn.TestArrays.OFF;
import static io.kiln.runtime.cnn.TestArrays.assertClose;
import static io.kiln.runtime.cnn.TestArrays.random;
import static io.kiln.runtime.cnn.TestArrays.zeros;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link BatchNorm} against {@link BatchNormReference}, PyTorch's running statistics, finite differences. */
class BatchNormTest {
  private static final float EPS = 1e-5f;

  @ParameterizedTest
  @CsvSource({"1, 1, 7", "3, 4, 13", "2, 3, 49", "8, 5, 1", "13, 1, 1", "3, 2, 196"})
  void matchesReference(int batch, int channels, int spatial) {
    Random r = new Random(batch * 1000 + channels * 100 + spatial);
    int n = batch * channels * spatial;
    float[] x = random(r, n, 2);
    for (int i = 0; i < n; i++) {
      x[OFF + i] += 3; // a non-zero mean
    }
    float[] gamma = random(r, channels, 1);
    float[] beta = random(r, channels, 1);
    float[] rm0 = random(r, channels, 1);
    float[] rv0 = random(r, channels, 1);
    for (int c = 0; c < channels; c++) {
      rv0[OFF + c] = Math.abs(rv0[OFF + c]) + 0.5f;
    }
    float[] rmE = rm0.clone();
    float[] rvE = rv0.clone();
    float[] yE = zeros(n);
    float[] smE = zeros(channels);
    float[] sisE = zeros(channels);
    float[] rmA = rm0.clone();
    float[] rvA = rv0.clone();
    float[] yA = zeros(n);
    float[] smA = zeros(channels);
    float[] sisA = zeros(channels);
    String what = batch + "×" + channels + "×" + spatial;

    BatchNormReference.forwardEval(batch, channels, spatial, x, OFF, gamma, OFF, beta, OFF, rm0, OFF, rv0, OFF, EPS, yE, OFF);
    BatchNorm.forwardEval(batch, channels, spatial, x, OFF, gamma, OFF, beta, OFF, rm0, OFF, rv0, OFF, EPS, yA, OFF);
    assertClose(what + " eval", yE, yA, 1e-5, 1);

    if (batch * spatial < 2) {
      return;
    }
    BatchNormReference.forwardTrain(batch, channels, spatial, x, OFF, gamma, OFF, beta, OFF, rmE, OFF, rvE, OFF, 0.1f,
        EPS, yE, OFF, smE, OFF, sisE, OFF);
    BatchNorm.forwardTrain(batch, channels, spatial, x, OFF, gamma, OFF, beta, OFF, rmA, OFF, rvA, OFF, 0.1f, EPS, yA,
        OFF, smA, OFF, sisA, OFF);
    assertClose(what + " y", yE, yA, 1e-5, 1);
    assertClose(what + " saveMean", smE, smA, 1e-6, 1);
    assertClose(what + " saveInvStd", sisE, sisA, 1e-6, 1);
    assertClose(what + " runningMean", rmE, rmA, 1e-6, 1);
    assertClose(what + " runningVar", rvE, rvA, 1e-6, 1);

    float[] dy = random(r, n, 1);
    for (boolean accumulate : new boolean[] {false, true}) {
      float[] dx0 = random(r, n, 1);
      float[] dg0 = random(r, channels, 1);
      float[] db0 = random(r, channels, 1);
      float[] dxA = dx0.clone();
      float[] dgA = dg0.clone();
      float[] dbA = db0.clone();
      BatchNormReference.backward(batch, channels, spatial, x, OFF, gamma, OFF, smE, OFF, sisE, OFF, dy, OFF, dx0, OFF,
          accumulate, dg0, OFF, db0, OFF);
      BatchNorm.backward(batch, channels, spatial, x, OFF, gamma, OFF, smA, OFF, sisA, OFF, dy, OFF, dxA, OFF,
          accumulate, dgA, OFF, dbA, OFF);
      double scale = Math.sqrt(batch * spatial);
      assertClose(what + " dx", dx0, dxA, 1e-4, 1);
      assertClose(what + " dGamma", dg0, dgA, 1e-5, scale);
      assertClose(what + " dBeta", db0, dbA, 1e-5, scale);
    }
  }

  /** Hand-computed: PyTorch's running = (1 − m)·running + m·stat with the unbiased variance; eval uses them. */
  @Test
  void runningStatisticsFollowPyTorch() {
    // batch 2, one channel, spatial 2: values 1, 2, 3, 6 → mean 3, biased var (4+1+0+9)/4 = 3.5,
    // unbiased 14/3
    float[] x = {1, 2, 3, 6};
    float[] gamma = {2};
    float[] beta = {0.5f};
    float[] rm = {1};
    float[] rv = {2};
    float[] y = new float[4];
    float[] sm = new float[1];
    float[] sis = new float[1];
    BatchNorm.forwardTrain(2, 1, 2, x, 0, gamma, 0, beta, 0, rm, 0, rv, 0, 0.1f, 0f, y, 0, sm, 0, sis, 0);
    assertThat(sm[0]).isEqualTo(3f);
    assertThat((double) sis[0]).isWithin(1e-7).of(1 / Math.sqrt(3.5));
    assertThat((double) rm[0]).isWithin(1e-6).of(0.9 * 1 + 0.1 * 3);
    assertThat((double) rv[0]).isWithin(1e-6).of(0.9 * 2 + 0.1 * 14.0 / 3);
    assertThat((double) y[0]).isWithin(1e-6).of(2 * (1 - 3) / Math.sqrt(3.5) + 0.5);
    assertThat((double) y[3]).isWithin(1e-6).of(2 * (6 - 3) / Math.sqrt(3.5) + 0.5);

    // eval mode normalizes with the running statistics, not the batch's
    float[] e = new float[4];
    BatchNorm.forwardEval(2, 1, 2, x, 0, gamma, 0, beta, 0, rm, 0, rv, 0, 1e-3f, e, 0);
    for (int i = 0; i < 4; i++) {
      assertThat((double) e[i]).isWithin(1e-5).of(2 * (x[i] - 1.2) / Math.sqrt(0.9 * 2 + 0.1 * 14.0 / 3 + 1e-3) + 0.5);
    }
  }

  @Test
  void twoChannelsAreIndependentAndInterleaved() {
    // [batch 2, C 2, spatial 1] (a BatchNorm1d over 2 features): channel 0 = {1, 3}, channel 1 = {10, 30}
    float[] x = {1, 10, 3, 30};
    float[] y = new float[4];
    float[] sm = new float[2];
    float[] sis = new float[2];
    BatchNorm.forwardTrain(2, 2, 1, x, 0, new float[] {1, 1}, 0, new float[] {0, 0}, 0, new float[2], 0,
        new float[] {1, 1}, 0, 0.1f, 0f, y, 0, sm, 0, sis, 0);
    assertThat(sm).usingExactEquality().containsExactly(2f, 20f).inOrder();
    assertThat(y).usingTolerance(1e-6).containsExactly(-1f, -1f, 1f, 1f).inOrder();
  }

  @Test
  void finiteDifferencesInTrainingMode() {
    int batch = 3;
    int channels = 2;
    int spatial = 5;
    int n = batch * channels * spatial;
    Random rnd = new Random(11);
    float[] x = random(rnd, n, 1);
    float[] gamma = random(rnd, channels, 1);
    float[] beta = random(rnd, channels, 1);
    float[] r = random(rnd, n, 1);
    float[] y = zeros(n);
    float[] sm = zeros(channels);
    float[] sis = zeros(channels);
    float[] rm = zeros(channels);
    float[] rv = zeros(channels);
    Runnable forward = () -> BatchNorm.forwardTrain(batch, channels, spatial, x, OFF, gamma, OFF, beta, OFF, rm, OFF,
        rv, OFF, 0.1f, EPS, y, OFF, sm, OFF, sis, OFF);
    forward.run();
    float[] dx = zeros(n);
    float[] dg = zeros(channels);
    float[] db = zeros(channels);
    BatchNorm.backward(batch, channels, spatial, x, OFF, gamma, OFF, sm, OFF, sis, OFF, r, OFF, dx, OFF, false, dg, OFF,
        db, OFF);
    TestArrays.checkGradient("x", x, n, dx, forward, r, y, 1e-2f, 1e-2);
    TestArrays.checkGradient("gamma", gamma, channels, dg, forward, r, y, 1e-2f, 1e-3);
    TestArrays.checkGradient("beta", beta, channels, db, forward, r, y, 1e-2f, 1e-3);
  }

  @Test
  void trainingNeedsMoreThanOneValuePerChannel() {
    float[] one = new float[3];
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BatchNorm.forwardTrain(1, 3, 1, one, 0, one, 0, one, 0, one, 0, one, 0, 0.1f, EPS, one, 0, one, 0, one,
            0));
    assertThat(e).hasMessageThat().contains("more than one value per channel");
  }
}
