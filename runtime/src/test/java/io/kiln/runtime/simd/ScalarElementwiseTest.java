package io.kiln.runtime.simd;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.dsl.Activation;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The scalar twins against the reference notes' worked examples and against finite differences
 * of the losses (central differences in double precision of the float loss). Run against both
 * the scalar twins and the provider {@link Vectorization} chose, so the Vector API kernels get the
 * same gradient checks.
 */
class ScalarElementwiseTest {
  private static final ElementwiseKernels[] ALL = {
    new ScalarElementwise(), Vectorization.provider().elementwise()
  };

  @Test
  void reluOfTheNotesExample() {
    for (ElementwiseKernels k : ALL) {
      float[] x = {5, -10, -3, 7};
      k.activate(Activation.RELU, x, 0, 4);
      assertThat(x).usingExactEquality().containsExactly(5f, 0f, 0f, 7f).inOrder();
    }
  }

  @Test
  void stepIsOneFromZeroUp() {
    for (ElementwiseKernels k : ALL) {
      // Perceptron examples: z = 0.5·1 − 0.6·2 + 0.2 = −0.5 → 0; z = 0 → 1; z = −1.5 → 0.
      float[] z = new float[35];
      z[0] = 0.5f * 1 - 0.6f * 2 + 0.2f;
      z[1] = 0f;
      z[2] = 0.5f * 2 - 1f * 3 + 0.5f;
      z[3] = -0f;
      z[4] = 1e-30f;
      System.arraycopy(z, 0, z, 17, 5); // again inside a full vector
      k.activate(Activation.STEP, z, 0, z.length);
      assertThat(new float[] {z[0], z[1], z[2], z[3], z[4], z[17], z[18], z[19], z[20], z[21]})
          .usingExactEquality().containsExactly(0f, 1f, 0f, 1f, 1f, 0f, 1f, 0f, 1f, 1f).inOrder();
    }
  }

  @Test
  void sigmoidAndTanhAreStableAtExtremes() {
    for (ElementwiseKernels k : ALL) {
      float[] x = new float[20];
      float[] y = new float[20];
      for (int i = 0; i < 20; i++) {
        x[i] = (i % 2 == 0 ? -1 : 1) * (10f * i);
        y[i] = x[i];
      }
      k.activate(Activation.SIGMOID, x, 0, 20);
      k.activate(Activation.TANH, y, 0, 20);
      for (int i = 0; i < 20; i++) {
        assertThat(x[i]).isAtLeast(0f);
        assertThat(x[i]).isAtMost(1f);
        assertThat(Math.abs(y[i])).isAtMost(1f);
      }
    }
  }

  @Test
  void softmaxCrossEntropyOfHugeLogitsIsFinite() {
    for (ElementwiseKernels k : ALL) {
      float[] logits = {1000f, -1000f, 0f};
      float[] d = new float[3];
      float loss = k.softmaxCrossEntropy(d, 0, logits, 0, new int[] {1}, 0, 1, 3);
      assertThat(loss).isWithin(1e-3f).of(2000f);
      assertThat(d).usingTolerance(1e-6).containsExactly(1f, -1f, 0f).inOrder();
      assertThrows(IndexOutOfBoundsException.class,
          () -> k.softmaxCrossEntropy(null, 0, logits, 0, new int[] {3}, 0, 1, 3));
    }
  }

  @Test
  void bceOfExtremeLogitsIsFinite() {
    for (ElementwiseKernels k : ALL) {
      float[] z = {200f, -200f};
      float loss = k.sigmoidBinaryCrossEntropy(null, 0, z, 0, new float[] {0f, 1f}, 0, 2);
      assertThat(loss).isWithin(1e-3f).of(200f);
    }
  }

  @Test
  void perceptronGradientGivesTheRule() {
    for (ElementwiseKernels k : ALL) {
      float[] d = new float[4];
      float wrong = k.perceptron(d, 0, new float[] {1, 0, 1, 0}, 0, new float[] {1, 1, 0, 0}, 0, 4, 2);
      assertThat(wrong).isEqualTo(0.5f);
      assertThat(d).usingExactEquality().containsExactly(0f, -0.5f, 0.5f, 0f).inOrder();
    }
  }

  @Test
  void columnSumsAccumulate() {
    for (ElementwiseKernels k : ALL) {
      float[] db = {1, 2};
      k.addColumnSums(db, 0, new float[] {1, 2, 3, 4, 5, 6}, 0, 3, 2);
      assertThat(db).usingExactEquality().containsExactly(10f, 14f).inOrder();
    }
  }

  // ----- finite differences -------------------------------------------------------------------

  private interface Loss {
    float eval(float[] grad, float[] x);
  }

  /** Checks grad against central differences of the loss, element by element. */
  private static void checkGradient(String what, Loss loss, float[] x) {
    float[] grad = new float[x.length];
    loss.eval(grad, x);
    for (int i = 0; i < x.length; i++) {
      float h = 1e-2f * Math.max(1f, Math.abs(x[i]));
      float[] p = x.clone();
      p[i] += h;
      float[] m = x.clone();
      m[i] -= h;
      double fd = ((double) loss.eval(null, p) - loss.eval(null, m)) / ((double) p[i] - m[i]);
      assertWithMessage(what + " d/dx[" + i + "]").that(Math.abs(fd - grad[i]))
          .isAtMost(2e-3 * Math.max(1.0, Math.abs(fd)));
    }
  }

  @Test
  void lossGradientsMatchFiniteDifferences() {
    Random r = new Random(7);
    for (ElementwiseKernels k : ALL) {
      int rows = 3;
      int classes = 19;
      float[] logits = new float[rows * classes];
      for (int i = 0; i < logits.length; i++) {
        logits[i] = (float) r.nextGaussian();
      }
      int[] labels = {0, 18, 7};
      checkGradient("softmax-CE", (g, x) -> k.softmaxCrossEntropy(g, 0, x, 0, labels, 0, rows, classes), logits);

      int n = 37;
      float[] z = new float[n];
      float[] t = new float[n];
      for (int i = 0; i < n; i++) {
        z[i] = (float) (r.nextGaussian() * 3);
        t[i] = r.nextFloat();
      }
      checkGradient("BCE", (g, x) -> k.sigmoidBinaryCrossEntropy(g, 0, x, 0, t, 0, n), z);
      checkGradient("MSE", (g, x) -> k.meanSquaredError(g, 0, x, 0, t, 0, n), z);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Activation.class, names = {"SIGMOID", "TANH", "RELU", "NONE"})
  void activationBackwardMatchesFiniteDifferences(Activation f) {
    DoubleUnaryOperator exact = switch (f) {
      case SIGMOID -> z -> 1 / (1 + Math.exp(-z));
      case TANH -> Math::tanh;
      case RELU -> z -> Math.max(z, 0);
      default -> z -> z;
    };
    Random r = new Random(f.ordinal());
    for (ElementwiseKernels k : ALL) {
      int n = 41;
      float[] z = new float[n];
      float[] dy = new float[n];
      for (int i = 0; i < n; i++) {
        z[i] = (float) (r.nextGaussian() * 2);
        if (f == Activation.RELU && Math.abs(z[i]) < 1e-2) {
          z[i] = 0.5f; // keep the kink out of the difference quotient
        }
        dy[i] = (float) r.nextGaussian();
      }
      float[] y = z.clone();
      k.activate(f, y, 0, n);
      float[] dz = new float[n];
      k.activationBackward(f, dz, 0, dy, 0, y, 0, n);
      for (int i = 0; i < n; i++) {
        double h = 1e-4;
        double fd = dy[i] * (exact.applyAsDouble(z[i] + h) - exact.applyAsDouble(z[i] - h)) / (2 * h);
        assertWithMessage(f + " dz[" + i + "]").that(Math.abs(fd - dz[i]))
            .isAtMost(1e-3 * Math.max(1.0, Math.abs(fd)));
      }
    }
  }

  @Test
  void stepBackwardIsStraightThrough() {
    for (ElementwiseKernels k : ALL) {
      float[] dz = new float[3];
      k.activationBackward(Activation.STEP, dz, 0, new float[] {0.5f, -2f, 3f}, 0, new float[] {1, 0, 1}, 0, 3);
      assertThat(dz).usingExactEquality().containsExactly(0.5f, -2f, 3f).inOrder();
    }
  }
}
