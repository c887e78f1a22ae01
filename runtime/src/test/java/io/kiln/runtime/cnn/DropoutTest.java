package io.kiln.runtime.cnn;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.runtime.cnn.TestArrays.OFF;
import static io.kiln.runtime.cnn.TestArrays.random;
import static io.kiln.runtime.cnn.TestArrays.zeros;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.init.Rng;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Inverted dropout: determinism, statistics, backward. */
class DropoutTest {

  @Test
  void sameSeedSameMask() {
    int n = 1000;
    float[] x = random(new Random(1), n, 1);
    float[] y1 = zeros(n);
    float[] y2 = zeros(n);
    float[] m1 = zeros(n);
    float[] m2 = zeros(n);
    Dropout.forwardTrain(0.3f, new Rng(42), x, OFF, y1, OFF, m1, OFF, n);
    Dropout.forwardTrain(0.3f, new Rng(42), x, OFF, y2, OFF, m2, OFF, n);
    assertThat(m1).isEqualTo(m2);
    assertThat(y1).isEqualTo(y2);
    float[] m3 = zeros(n);
    Dropout.forwardTrain(0.3f, new Rng(43), x, OFF, y2, OFF, m3, OFF, n);
    assertThat(m3).isNotEqualTo(m1);
    assertThat(m1[OFF - 1]).isNaN();
    assertThat(m1[OFF + n]).isNaN();
  }

  @Test
  void statistics() {
    int n = 200_000;
    for (float rate : new float[] {0f, 0.1f, 0.5f, 0.8f}) {
      float[] x = zeros(n);
      java.util.Arrays.fill(x, OFF, OFF + n, 2f);
      float[] y = zeros(n);
      float[] mask = zeros(n);
      Dropout.forwardTrain(rate, new Rng(7), x, OFF, y, OFF, mask, OFF, n);
      int dropped = 0;
      double sum = 0;
      for (int i = 0; i < n; i++) {
        if (mask[OFF + i] == 0f) {
          dropped++;
          assertThat(y[OFF + i]).isEqualTo(0f);
        } else {
          assertThat(mask[OFF + i]).isEqualTo(1f / (1f - rate));
          assertThat(y[OFF + i]).isEqualTo(2f / (1f - rate));
        }
        sum += y[OFF + i];
      }
      // binomial: sd of the fraction is sqrt(p(1-p)/n) < 0.0012; allow 5 sd
      assertThat((double) dropped / n).isWithin(0.006).of(rate);
      assertThat(sum / n).isWithin(0.03).of(2.0); // E[y] = x
    }
  }

  @Test
  void backwardMultipliesByTheMaskAndAccumulates() {
    int n = 37;
    Random r = new Random(5);
    float[] x = random(r, n, 1);
    float[] y = zeros(n);
    float[] mask = zeros(n);
    Dropout.forwardTrain(0.4f, new Rng(3), x, OFF, y, OFF, mask, OFF, n);
    float[] dy = random(r, n, 1);
    float[] dx = random(r, n, 1);
    float[] before = dx.clone();
    Dropout.backward(dy, OFF, mask, OFF, dx, OFF, n, true);
    for (int i = 0; i < n; i++) {
      assertThat(dx[OFF + i]).isEqualTo(before[OFF + i] + dy[OFF + i] * mask[OFF + i]);
    }
    Dropout.backward(dy, OFF, mask, OFF, dx, OFF, n, false);
    for (int i = 0; i < n; i++) {
      assertThat(dx[OFF + i]).isEqualTo(dy[OFF + i] * mask[OFF + i]);
    }
  }

  /** y = x·mask is linear in x for a fixed seed: central differences recover dy·mask. */
  @Test
  void finiteDifferences() {
    int n = 23;
    Random rnd = new Random(9);
    float[] x = random(rnd, n, 1);
    float[] y = zeros(n);
    float[] mask = zeros(n);
    float[] r = random(rnd, n, 1);
    Runnable forward = () -> Dropout.forwardTrain(0.5f, new Rng(99), x, OFF, y, OFF, mask, OFF, n);
    forward.run();
    float[] dx = zeros(n);
    Dropout.backward(r, OFF, mask, OFF, dx, OFF, n, false);
    TestArrays.checkGradient("x", x, n, dx, forward, r, y, 1e-2f, 1e-3);
  }

  @Test
  void rejectsBadRates() {
    float[] a = new float[4];
    for (float rate : new float[] {-0.1f, 1f, Float.NaN}) {
      assertThat(assertThrows(IllegalArgumentException.class,
              () -> Dropout.forwardTrain(rate, new Rng(1), a, 0, a, 0, a, 0, 4)))
          .hasMessageThat().contains("dropout rate must be in [0, 1)");
    }
  }
}
