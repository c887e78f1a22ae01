package io.kiln.runtime.simd;

import io.kiln.dsl.Activation;
import java.util.Objects;

/**
 * The plain scalar twins of {@link ElementwiseKernels}: obvious loops, written to be read. They
 * are the test oracle for the Vector API kernels and the fallback when
 * {@code jdk.incubator.vector} is not available.
 *
 * <p>Transcendentals use {@link FastMath}, not {@link Math#exp}/{@link Math#tanh}: the JDK may
 * give those different bits before and after JIT compilation, which broke "the same seed gives
 * the same losses". FastMath gives the same bits in every JVM mode and is mirrored lane for lane
 * by the Vector API kernels, so activations agree bitwise between the two paths.
 */
public final class ScalarElementwise implements ElementwiseKernels {

  /** Creates the (stateless) scalar kernels. */
  public ScalarElementwise() {}

  /**
   * Applies one activation to one value; shared with the scalar GEMM epilogue so both paths
   * agree bit for bit.
   *
   * @param f the activation
   * @param z the pre-activation
   * @return {@code f(z)}
   */
  public static float apply(Activation f, float z) {
    return switch (f) {
      case NONE -> z;
      // Math.max keeps NaN visible (so the loss check notices a diverging model) and is an
      // intrinsic C2 vectorizes; a ternary compiled to a branch that mispredicts on random signs.
      case RELU -> Math.max(z, 0f);
      case SIGMOID -> sigmoid(z);
      case TANH -> FastMath.tanh(z);
      case STEP -> z >= 0f ? 1f : 0f;
      case GELU -> GeluKernels.gelu(z);
    };
  }

  /** The logistic function, evaluated without overflow for either sign of z. */
  static float sigmoid(float z) {
    return FastMath.sigmoid(z);
  }

  /**
   * {@code dy · f'(z)} with f' expressed through the output y = f(z) (see the interface). ReLU
   * selects rather than multiplies, so a switched-off unit passes exactly 0 even when dy is
   * infinite (as PyTorch's threshold_backward does).
   */
  static float backward(Activation f, float dy, float y) {
    return switch (f) {
      case NONE, STEP -> dy;
      case RELU -> y > 0f ? dy : 0f;
      case SIGMOID -> dy * (y * (1f - y));
      case TANH -> dy * (1f - y * y);
      case GELU -> throw new IllegalArgumentException(
          "GELU's derivative needs its input z, not its output: call io.kiln.runtime.attention.Gelu.backward with the pre-activation");
    };
  }

  @Override
  public void activate(Activation f, float[] x, int xOff, int n) {
    // The switch sits outside the loops so that C2 can auto-vectorize the simple ones (ReLU,
    // step): this is also the fallback path, and a per-element switch made it 30x slower.
    int end = xOff + n;
    switch (f) {
      case NONE -> { }
      case RELU -> {
        for (int i = xOff; i < end; i++) {
          x[i] = Math.max(x[i], 0f);
        }
      }
      case STEP -> {
        for (int i = xOff; i < end; i++) {
          x[i] = x[i] >= 0f ? 1f : 0f;
        }
      }
      case SIGMOID -> {
        for (int i = xOff; i < end; i++) {
          x[i] = sigmoid(x[i]);
        }
      }
      case TANH -> {
        for (int i = xOff; i < end; i++) {
          x[i] = FastMath.tanh(x[i]);
        }
      }
      case GELU -> GeluKernels.forward(n, x, xOff, x, xOff);
    }
  }

  @Override
  public void activationBackward(
      Activation f, float[] dz, int dzOff, float[] dy, int dyOff, float[] y, int yOff, int n) {
    for (int i = 0; i < n; i++) {
      dz[dzOff + i] = backward(f, dy[dyOff + i], y[yOff + i]);
    }
  }

  @Override
  public void addColumnSums(float[] db, int dbOff, float[] dz, int dzOff, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      int row = dzOff + r * cols;
      for (int j = 0; j < cols; j++) {
        db[dbOff + j] += dz[row + j];
      }
    }
  }

  @Override
  public void addRowSums(float[] db, int dbOff, float[] dz, int dzOff, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      db[dbOff + r] += rowSum(dz, dzOff + r * cols, cols);
    }
  }

  /** A row sum with four independent accumulators (ILP; C2 does not reorder float additions). */
  private static float rowSum(float[] a, int off, int n) {
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += a[off + i];
      s1 += a[off + i + 1];
      s2 += a[off + i + 2];
      s3 += a[off + i + 3];
    }
    for (; i < n; i++) {
      s0 += a[off + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float softmaxCrossEntropy(
      float[] dLogits, int dOff, float[] logits, int lOff, int[] labels, int labelsOff, int rows, int classes) {
    double total = 0;
    float invRows = 1f / rows;
    for (int r = 0; r < rows; r++) {
      int row = lOff + r * classes;
      int label = Objects.checkIndex(labels[labelsOff + r], classes);
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < classes; j++) {
        max = Math.max(max, logits[row + j]);
      }
      // log Σ e^(z - max): the largest term is e^0 = 1, so the sum never overflows.
      float sum = 0f;
      for (int j = 0; j < classes; j++) {
        sum += FastMath.exp(logits[row + j] - max);
      }
      float logSum = FastMath.log(sum);
      total += logSum - (logits[row + label] - max);
      if (dLogits != null) {
        int drow = dOff + r * classes;
        float inv = 1f / sum;
        for (int j = 0; j < classes; j++) {
          float p = FastMath.exp(logits[row + j] - max) * inv;
          dLogits[drow + j] = (p - (j == label ? 1f : 0f)) * invRows;
        }
      }
    }
    return (float) (total / rows);
  }

  @Override
  public float sigmoidBinaryCrossEntropy(
      float[] dLogits, int dOff, float[] logits, int lOff, float[] targets, int tOff, int n) {
    double total = 0;
    float invN = 1f / n;
    for (int i = 0; i < n; i++) {
      float z = logits[lOff + i];
      float t = targets[tOff + i];
      // max(z, 0) − z·t + log(1 + e^−|z|): never exponentiates a positive number. Each term in
      // float, in the vector kernel's order (so the terms agree bitwise); the sum in double.
      float softplus = FastMath.log1p(FastMath.exp(-Math.abs(z)));
      total += Math.max(z, 0f) - z * t + softplus;
      if (dLogits != null) {
        dLogits[dOff + i] = (sigmoid(z) - t) * invN;
      }
    }
    return (float) (total / n);
  }

  @Override
  public float meanSquaredError(float[] dY, int dOff, float[] y, int yOff, float[] targets, int tOff, int n) {
    double total = 0;
    float scale = 2f / n;
    for (int i = 0; i < n; i++) {
      float d = y[yOff + i] - targets[tOff + i];
      total += (double) d * d;
      if (dY != null) {
        dY[dOff + i] = d * scale;
      }
    }
    return (float) (total / n);
  }

  @Override
  public float perceptron(
      float[] dZ, int dOff, float[] yHat, int yOff, float[] targets, int tOff, int n, int rows) {
    int wrong = 0;
    float invRows = 1f / rows;
    for (int i = 0; i < n; i++) {
      float d = yHat[yOff + i] - targets[tOff + i];
      if (d != 0f) {
        wrong++;
      }
      if (dZ != null) {
        dZ[dOff + i] = d * invRows;
      }
    }
    return (float) wrong / n;
  }

  @Override
  public void softmax(float[] out, int outOff, float[] x, int xOff, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      int in = xOff + r * cols;
      int o = outOff + r * cols;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        max = Math.max(max, x[in + j]);
      }
      float sum = 0f;
      for (int j = 0; j < cols; j++) {
        float e = FastMath.exp(x[in + j] - max);
        out[o + j] = e;
        sum += e;
      }
      float inv = 1f / sum;
      for (int j = 0; j < cols; j++) {
        out[o + j] *= inv;
      }
    }
  }
}
