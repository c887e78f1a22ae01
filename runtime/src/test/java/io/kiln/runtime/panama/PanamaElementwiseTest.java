package io.kiln.runtime.panama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.kiln.dsl.Activation;
import io.kiln.runtime.simd.ElementwiseKernels;
import io.kiln.runtime.simd.ScalarElementwise;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector API kernels against their scalar twins on sizes around every vector width (whole
 * vectors, tails, a single element), at non-zero offsets.
 */
class PanamaElementwiseTest {
  private static final int OFF = 3;
  private final ElementwiseKernels vec = new PanamaElementwise();
  private final ElementwiseKernels ref = new ScalarElementwise();

  private static float[] random(Random r, int n, float scale) {
    float[] a = new float[n + 2 * OFF];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (r.nextGaussian() * scale);
    }
    return a;
  }

  private static void assertClose(String what, float[] expected, float[] actual, double rel) {
    assertClose(what, expected, actual, rel, 1e-6);
  }

  /** Relative tolerance {@code rel} of {@code max(|expected|, scale)}. */
  private static void assertClose(String what, float[] expected, float[] actual, double rel, double scale) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertClose(what + "[" + i + "]", expected[i], actual[i], rel, scale);
    }
  }

  private static void assertClose(String what, double expected, double actual, double rel) {
    assertClose(what, expected, actual, rel, 1e-6);
  }

  private static void assertClose(String what, double expected, double actual, double rel, double scale) {
    if (Double.isNaN(expected) && Double.isNaN(actual)) {
      return;
    }
    double tol = rel * Math.max(Math.abs(expected), scale);
    if (!(Math.abs(expected - actual) <= tol)) {
      fail(what + ": expected " + expected + " but was " + actual);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 13, 17, 33, 1023})
  void activate(int n) {
    for (Activation f : Activation.values()) {
      float[] x = random(new Random(n), n, 4f);
      float[] a = x.clone();
      float[] b = x.clone();
      vec.activate(f, a, OFF, n);
      ref.activate(f, b, OFF, n);
      // Untouched padding proves the offsets are honoured.
      assertClose(f + " n=" + n, b, a, 1e-6);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 13, 17, 33, 1023})
  void activationBackwardIsBitwiseEqual(int n) {
    Random r = new Random(n);
    for (Activation f : Activation.values()) {
      if (f == Activation.GELU) {
        continue; // its derivative needs z: see geluBackwardFromTheOutputIsRefused
      }
      float[] y = random(r, n, 2f);
      float[] dy = random(r, n, 1f);
      float[] b = assertBackwardIsTheTwins(f + " n=" + n, f, y, dy, n);
      // In place (dz aliases dy).
      float[] inPlace = dy.clone();
      vec.activationBackward(f, inPlace, OFF, inPlace, OFF, y, OFF, n);
      assertClose(f + " in place", b, slicePadded(inPlace, b), 0);
    }
  }

  /** Activates y in place, then checks the vector derivative against the twin's bits; returns the twin's. */
  private float[] assertBackwardIsTheTwins(String what, Activation f, float[] y, float[] dy, int n) {
    ref.activate(f, y, 0, y.length);
    float[] a = new float[y.length];
    float[] b = new float[y.length];
    vec.activationBackward(f, a, OFF, dy, OFF, y, OFF, n);
    ref.activationBackward(f, b, OFF, dy, OFF, y, OFF, n);
    // Same operations in the same order: no rounding difference at all.
    assertEquals(java.util.Arrays.toString(b), java.util.Arrays.toString(a), what);
    return b;
  }

  @org.junit.jupiter.api.Test
  void geluBackwardFromTheOutputIsRefused() {
    float[] a = new float[4];
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> vec.activationBackward(Activation.GELU, a, 0, a, 0, a, 0, 4));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("Gelu.backward with the pre-activation"), e.getMessage());
  }

  /** Copies only the window written by the kernel, keeping b's zero padding. */
  private static float[] slicePadded(float[] src, float[] like) {
    float[] out = new float[like.length];
    System.arraycopy(src, OFF, out, OFF, like.length - 2 * OFF);
    return out;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 13, 17, 33, 64, 80, 1023})
  void addColumnSums(int cols) {
    Random r = new Random(cols);
    for (int rows : new int[] {1, 5, 17}) {
      float[] dz = random(r, rows * cols, 1f);
      float[] a = random(r, cols, 1f);
      float[] b = a.clone();
      vec.addColumnSums(a, OFF, dz, OFF, rows, cols);
      ref.addColumnSums(b, OFF, dz, OFF, rows, cols);
      assertClose("rows=" + rows + " cols=" + cols, b, a, 1e-4);
    }
  }

  /**
   * Passes over whole activations are split across threads in fixed pieces: at 1, 2 and 3 threads
   * the activation derivative gives the scalar twin's bits and the bias sums those of summing each
   * column row by row (ragged last pieces, an odd offset).
   */
  @org.junit.jupiter.api.Test
  void splitPassesGiveTheScalarTwinsBitsAtAnyThreadCount() {
    int threads = io.kiln.runtime.Parallelism.threads();
    try {
      for (int t : new int[] {1, 2, 3}) {
        io.kiln.runtime.Parallelism.setThreads(t);
        Random r = new Random(t);
        int n = 2 * PanamaElementwise.SPLIT_FLOATS + 37;
        for (Activation f : new Activation[] {Activation.RELU, Activation.SIGMOID, Activation.TANH, Activation.NONE}) {
          assertBackwardIsTheTwins(f + " at " + t + " threads", f, random(r, n, 2f), random(r, n, 1f), n);
        }
        int cols = 2 * PanamaElementwise.SPLIT_COLUMNS + 22;
        int rows = 2 * PanamaElementwise.SPLIT_FLOATS / cols + 5;
        float[] dz = random(r, rows * cols, 1f);
        float[] a = random(r, cols, 1f);
        float[] b = a.clone();
        vec.addColumnSums(a, OFF, dz, OFF, rows, cols);
        for (int j = 0; j < cols; j++) { // each column summed row by row from 0, then added
          float sum = 0f;
          for (int i = 0; i < rows; i++) {
            sum += dz[OFF + i * cols + j];
          }
          b[OFF + j] += sum;
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(b, a, "column sums at " + t + " threads");
      }
    } finally {
      io.kiln.runtime.Parallelism.setThreads(threads);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 13, 17, 33, 64, 80, 841, 1023, 3844})
  void addRowSums(int cols) {
    Random r = new Random(cols);
    for (int rows : new int[] {1, 5, 17}) {
      float[] dz = random(r, rows * cols, 1f);
      float[] before = random(r, rows, 1f);
      float[] a = before.clone();
      float[] b = before.clone();
      vec.addRowSums(a, OFF, dz, OFF, rows, cols);
      ref.addRowSums(b, OFF, dz, OFF, rows, cols);
      assertClose("rows=" + rows + " cols=" + cols, b, a, 1e-4);
      for (int i = 0; i < rows; i++) {
        double sum = before[OFF + i];
        for (int j = 0; j < cols; j++) {
          sum += dz[OFF + i * cols + j];
        }
        assertEquals(sum, b[OFF + i], 1e-3, "the scalar twin's row " + i + " of " + cols);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 13, 17, 33, 1023})
  void softmaxAndCrossEntropy(int classes) {
    Random r = new Random(classes);
    int rows = 4;
    float[] logits = random(r, rows * classes, 5f);
    int[] labels = new int[rows + OFF];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = r.nextInt(classes);
    }
    float[] da = new float[logits.length];
    float[] db = new float[logits.length];
    float la = vec.softmaxCrossEntropy(da, OFF, logits, OFF, labels, OFF, rows, classes);
    float lb = ref.softmaxCrossEntropy(db, OFF, logits, OFF, labels, OFF, rows, classes);
    assertClose("loss", lb, la, 1e-5);
    assertClose("dLogits", db, da, 1e-5);
    assertClose("loss without gradient", lb, vec.softmaxCrossEntropy(null, 0, logits, OFF, labels, OFF, rows, classes), 1e-5);
    // dLogits aliasing the logits.
    float[] alias = logits.clone();
    float lc = vec.softmaxCrossEntropy(alias, OFF, alias, OFF, labels, OFF, rows, classes);
    assertClose("aliased loss", lb, lc, 1e-5);
    assertClose("aliased dLogits", db, slicePadded(alias, db), 1e-5);

    float[] sa = new float[logits.length];
    float[] sb = new float[logits.length];
    vec.softmax(sa, OFF, logits, OFF, rows, classes);
    ref.softmax(sb, OFF, logits, OFF, rows, classes);
    assertClose("softmax", sb, sa, 1e-5);
    float[] inPlace = logits.clone();
    vec.softmax(inPlace, OFF, inPlace, OFF, rows, classes);
    assertClose("softmax in place", sb, slicePadded(inPlace, sb), 1e-5);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 13, 17, 33, 1023})
  void losses(int n) {
    Random r = new Random(n);
    float[] z = random(r, n, 6f);
    float[] t = random(r, n, 1f);
    float[] bits = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      bits[i] = r.nextBoolean() ? 1f : 0f;
    }
    float[] ga = new float[z.length];
    float[] gb = new float[z.length];
    assertClose("bce", ref.sigmoidBinaryCrossEntropy(gb, OFF, z, OFF, bits, OFF, n),
        vec.sigmoidBinaryCrossEntropy(ga, OFF, z, OFF, bits, OFF, n), 1e-5);
    // σ(z) − t cancels when σ(z) ≈ t, so compare against the gradient's scale 1/n.
    assertClose("bce gradient", gb, ga, 1e-5, 1.0 / n);
    assertClose("mse", ref.meanSquaredError(gb, OFF, z, OFF, t, OFF, n),
        vec.meanSquaredError(ga, OFF, z, OFF, t, OFF, n), 1e-5);
    assertClose("mse gradient", gb, ga, 1e-6);
    float[] yHat = bits.clone();
    ref.activate(Activation.STEP, yHat, 0, yHat.length);
    float[] targets = bits.clone();
    for (int i = 0; i < targets.length; i += 3) {
      targets[i] = 1f - targets[i];
    }
    assertClose("perceptron", ref.perceptron(gb, OFF, yHat, OFF, targets, OFF, n, 2),
        vec.perceptron(ga, OFF, yHat, OFF, targets, OFF, n, 2), 0);
    assertClose("perceptron gradient", gb, ga, 0);
  }
}
