package io.kiln.runtime.cnn;

import io.kiln.runtime.At;
import io.kiln.runtime.Checks;
import io.kiln.runtime.simd.DoubleSum;
import java.util.Objects;

/**
 * Batch normalization over {@code [batch, C, spatial]} float32 tensors: {@code spatial = H·W} after a
 * convolution (PyTorch's {@code BatchNorm2d}), or 1 for a {@code [B, n]} input with {@code C = n}
 * ({@code BatchNorm1d}). Statistics are per channel over {@code batch·spatial} values, summed in
 * double precision (two passes: mean, then squared deviations). The oracle is
 * {@code BatchNormReference} (in the tests).
 *
 * <p>A layer is built once with its sizes and where its parameters, running statistics, outputs
 * and gradients live; a step then calls {@code bn.forwardTrain(batch, x, xOff)} (or {@code
 * forwardEval}) and {@code bn.backward(batch, x, xOff)}. The input is passed per call because it
 * may be the caller's array.
 *
 * <pre>{@code
 * BatchNorm bn = BatchNorm.of(channels, spatial, 0.1f, 1e-5f)
 *     .parameters(new At(params, GAMMA), new At(params, BETA))
 *     .runningStatistics(new At(state, MEAN), new At(state, VAR))
 *     .output(new At(arena, Y), new At(arena, SAVE_MEAN), new At(arena, SAVE_INV_STD))
 *     .gradients(new At(arena, DY), new At(grads, GAMMA), new At(grads, BETA))
 *     .inputGradient(new At(arena, DX), false)
 *     .build();
 * }</pre>
 */
public final class BatchNorm {
  private final int channels;
  private final int spatial;
  private final float momentum;
  private final float eps;
  private final At gamma;
  private final At beta;
  private final At runningMean;
  private final At runningVar;
  private final At y;
  private final At saveMean;
  private final At saveInvStd;
  private final At dy;
  private final At dGamma;
  private final At dBeta;
  private final At dx;
  private final boolean accumulateDx;

  private BatchNorm(Builder b) {
    this.channels = b.channels;
    this.spatial = b.spatial;
    this.momentum = b.momentum;
    this.eps = b.eps;
    this.gamma = Objects.requireNonNull(b.gamma, "parameters");
    this.beta = Objects.requireNonNull(b.beta, "parameters");
    this.runningMean = Objects.requireNonNull(b.runningMean, "runningStatistics");
    this.runningVar = Objects.requireNonNull(b.runningVar, "runningStatistics");
    this.y = Objects.requireNonNull(b.y, "output");
    this.saveMean = b.saveMean;
    this.saveInvStd = b.saveInvStd;
    this.dy = b.dy;
    this.dGamma = b.dGamma;
    this.dBeta = b.dBeta;
    this.dx = b.dx;
    this.accumulateDx = b.accumulateDx;
  }

  /** A builder for batch norm over {@code channels} channels of {@code spatial} positions each. */
  public static Builder of(int channels, int spatial, float momentum, float eps) {
    return new Builder(channels, spatial, momentum, eps);
  }

  /** Training mode over {@code batch} samples of {@code x}: batch statistics, running ones updated. */
  public void forwardTrain(int batch, float[] x, int xOff) {
    forwardTrain(batch, channels, spatial, x, xOff, gamma.array(), gamma.offset(), beta.array(), beta.offset(),
        runningMean.array(), runningMean.offset(), runningVar.array(), runningVar.offset(), momentum, eps, y.array(),
        y.offset(), saveMean.array(), saveMean.offset(), saveInvStd.array(), saveInvStd.offset());
  }

  /** Evaluation mode over {@code batch} samples of {@code x}: the running statistics. */
  public void forwardEval(int batch, float[] x, int xOff) {
    forwardEval(batch, channels, spatial, x, xOff, gamma.array(), gamma.offset(), beta.array(), beta.offset(),
        runningMean.array(), runningMean.offset(), runningVar.array(), runningVar.offset(), eps, y.array(), y.offset());
  }

  /** Backward of the last {@link #forwardTrain} for input {@code x}. */
  public void backward(int batch, float[] x, int xOff) {
    if (!dGamma.present()) {
      throw new IllegalStateException("a batch norm built without gradients cannot run backward");
    }
    backward(batch, channels, spatial, x, xOff, gamma.array(), gamma.offset(), saveMean.array(), saveMean.offset(),
        saveInvStd.array(), saveInvStd.offset(), dy.array(), dy.offset(), dx.array(), dx.offset(), accumulateDx,
        dGamma.array(), dGamma.offset(), dBeta.array(), dBeta.offset());
  }

  /** Collects where a batch norm's tensors live; every optional one defaults to {@link At#NONE}. */
  public static final class Builder {
    private final int channels;
    private final int spatial;
    private final float momentum;
    private final float eps;
    private At gamma;
    private At beta;
    private At runningMean;
    private At runningVar;
    private At y;
    private At saveMean = At.NONE;
    private At saveInvStd = At.NONE;
    private At dy = At.NONE;
    private At dGamma = At.NONE;
    private At dBeta = At.NONE;
    private At dx = At.NONE;
    private boolean accumulateDx;

    private Builder(int channels, int spatial, float momentum, float eps) {
      this.channels = channels;
      this.spatial = spatial;
      this.momentum = momentum;
      this.eps = eps;
    }

    /** {@code [C]} scale (gamma) and shift (beta). */
    public Builder parameters(At gamma, At beta) {
      this.gamma = gamma;
      this.beta = beta;
      return this;
    }

    /** {@code [C]} running mean and variance, read in evaluation and updated in training mode. */
    public Builder runningStatistics(At mean, At var) {
      this.runningMean = mean;
      this.runningVar = var;
      return this;
    }

    /** The output and the {@code [C]} batch mean and {@code 1/sqrt(var + eps)} training saves for backward. */
    public Builder output(At y, At saveMean, At saveInvStd) {
      this.y = y;
      this.saveMean = saveMean;
      this.saveInvStd = saveInvStd;
      return this;
    }

    /** ∂L/∂y read by backward, and the accumulated ({@code +=}) gamma and beta gradients. */
    public Builder gradients(At dy, At dGamma, At dBeta) {
      this.dy = dy;
      this.dGamma = dGamma;
      this.dBeta = dBeta;
      return this;
    }

    /** ∂L/∂x, written or (with {@code accumulate}) added to. */
    public Builder inputGradient(At dx, boolean accumulate) {
      this.dx = dx;
      this.accumulateDx = accumulate;
      return this;
    }

    public BatchNorm build() {
      return new BatchNorm(this);
    }
  }

  /**
   * Training mode: per-channel batch mean and biased variance;
   * {@code y = gamma·(x − mean)/sqrt(var + eps) + beta}; saves {@code mean} and
   * {@code 1/sqrt(var + eps)} per channel for {@link #backward}; updates the running statistics as
   * PyTorch does: {@code running = (1 − momentum)·running + momentum·batchStat}, with the
   * <em>unbiased</em> variance ({@code ·n/(n − 1)}) for {@code runningVar}.
   *
   * @throws IllegalArgumentException if {@code batch·spatial < 2} (PyTorch refuses too: the
   *     variance of one value is 0 and its unbiased estimate undefined)
   */
  static void forwardTrain(int batch, int channels, int spatial, float[] x, int xOff, float[] gamma,
      int gammaOff, float[] beta, int betaOff, float[] runningMean, int rmOff, float[] runningVar, int rvOff,
      float momentum, float eps, float[] y, int yOff, float[] saveMean, int smOff, float[] saveInvStd, int sisOff) {
    long total = check(batch, channels, spatial, x, xOff, y, yOff, "y");
    Checks.range("gamma", gamma, gammaOff, channels);
    Checks.range("beta", beta, betaOff, channels);
    Checks.range("runningMean", runningMean, rmOff, channels);
    Checks.range("runningVar", runningVar, rvOff, channels);
    Checks.range("saveMean", saveMean, smOff, channels);
    Checks.range("saveInvStd", saveInvStd, sisOff, channels);
    if (total < 2) {
      throw new IllegalArgumentException("batch norm in training mode needs more than one value per channel, got batch "
          + batch + " × spatial " + spatial);
    }
    int n = batch * spatial;
    int stride = channels * spatial;
    for (int c = 0; c < channels; c++) {
      int first = xOff + c * spatial;
      double sum = 0;
      for (int b = 0; b < batch; b++) {
        sum += DoubleSum.of(x, first + b * stride, spatial);
      }
      double mean = sum / n;
      double sq = 0;
      for (int b = 0; b < batch; b++) {
        sq += squaredDeviations(x, first + b * stride, spatial, mean);
      }
      double var = sq / n;
      double invStd = 1.0 / Math.sqrt(var + eps);
      float m = (float) mean;
      float scale = (float) (gamma[gammaOff + c] * invStd);
      float shift = beta[betaOff + c];
      for (int b = 0; b < batch; b++) {
        int in = first + b * stride;
        int out = yOff + c * spatial + b * stride;
        for (int i = 0; i < spatial; i++) {
          y[out + i] = (x[in + i] - m) * scale + shift;
        }
      }
      saveMean[smOff + c] = m;
      saveInvStd[sisOff + c] = (float) invStd;
      runningMean[rmOff + c] = (1f - momentum) * runningMean[rmOff + c] + momentum * m;
      runningVar[rvOff + c] = (1f - momentum) * runningVar[rvOff + c] + momentum * (float) (sq / (n - 1));
    }
  }

  /** Evaluation mode: {@code y = gamma·(x − runningMean)/sqrt(runningVar + eps) + beta}. */
  static void forwardEval(int batch, int channels, int spatial, float[] x, int xOff, float[] gamma,
      int gammaOff, float[] beta, int betaOff, float[] runningMean, int rmOff, float[] runningVar, int rvOff,
      float eps, float[] y, int yOff) {
    check(batch, channels, spatial, x, xOff, y, yOff, "y");
    Checks.range("gamma", gamma, gammaOff, channels);
    Checks.range("beta", beta, betaOff, channels);
    Checks.range("runningMean", runningMean, rmOff, channels);
    Checks.range("runningVar", runningVar, rvOff, channels);
    int stride = channels * spatial;
    for (int c = 0; c < channels; c++) {
      float m = runningMean[rmOff + c];
      float scale = (float) (gamma[gammaOff + c] / Math.sqrt((double) runningVar[rvOff + c] + eps));
      float shift = beta[betaOff + c];
      for (int b = 0; b < batch; b++) {
        int in = xOff + c * spatial + b * stride;
        int out = yOff + c * spatial + b * stride;
        for (int i = 0; i < spatial; i++) {
          y[out + i] = (x[in + i] - m) * scale + shift;
        }
      }
    }
  }

  /**
   * Backward of {@link #forwardTrain}: {@code dGamma += Σ dy·xhat}, {@code dBeta += Σ dy} and
   * {@code dx} (=, or += when {@code accumulate}) by the standard formula
   * {@code dx = gamma·invStd·(dy − mean(dy) − xhat·mean(dy·xhat))}, where
   * {@code xhat = (x − saveMean)·saveInvStd} and the means run over {@code batch·spatial}.
   * {@code dx} may be null (then only the parameter gradients are computed).
   */
  static void backward(int batch, int channels, int spatial, float[] x, int xOff, float[] gamma, int gammaOff,
      float[] saveMean, int smOff, float[] saveInvStd, int sisOff, float[] dy, int dyOff, float[] dx, int dxOff,
      boolean accumulate, float[] dGamma, int dgOff, float[] dBeta, int dbOff) {
    check(batch, channels, spatial, x, xOff, dy, dyOff, "dy");
    Checks.range("gamma", gamma, gammaOff, channels);
    Checks.range("saveMean", saveMean, smOff, channels);
    Checks.range("saveInvStd", saveInvStd, sisOff, channels);
    Checks.range("dGamma", dGamma, dgOff, channels);
    Checks.range("dBeta", dBeta, dbOff, channels);
    if (dx != null) {
      Checks.range("dx", dx, dxOff, (long) batch * channels * spatial);
    }
    int n = batch * spatial;
    int stride = channels * spatial;
    for (int c = 0; c < channels; c++) {
      float m = saveMean[smOff + c];
      float invStd = saveInvStd[sisOff + c];
      double sumDy = 0;
      double sumDyXhat = 0;
      for (int b = 0; b < batch; b++) {
        int xi = xOff + c * spatial + b * stride;
        int di = dyOff + c * spatial + b * stride;
        sumDy += DoubleSum.of(dy, di, spatial);
        sumDyXhat += dot(dy, di, x, xi, spatial, m) * invStd;
      }
      dBeta[dbOff + c] += (float) sumDy;
      dGamma[dgOff + c] += (float) sumDyXhat;
      if (dx == null) {
        continue;
      }
      float scale = gamma[gammaOff + c] * invStd;
      float meanDy = (float) (sumDy / n);
      float meanDyXhat = (float) (sumDyXhat / n);
      for (int b = 0; b < batch; b++) {
        int xi = xOff + c * spatial + b * stride;
        int di = dyOff + c * spatial + b * stride;
        int gi = dxOff + c * spatial + b * stride;
        if (accumulate) {
          for (int i = 0; i < spatial; i++) {
            float xhat = (x[xi + i] - m) * invStd;
            dx[gi + i] += scale * (dy[di + i] - meanDy - xhat * meanDyXhat);
          }
        } else {
          for (int i = 0; i < spatial; i++) {
            float xhat = (x[xi + i] - m) * invStd;
            dx[gi + i] = scale * (dy[di + i] - meanDy - xhat * meanDyXhat);
          }
        }
      }
    }
  }

  private static long check(int batch, int channels, int spatial, float[] x, int xOff, float[] y, int yOff,
      String yName) {
    Checks.nonNegativeBatch(batch);
    if (channels <= 0 || spatial <= 0) {
      throw new IllegalArgumentException("channels and spatial must be positive but were " + channels + " and " + spatial);
    }
    long total = (long) batch * channels * spatial;
    Checks.range("x", x, xOff, total);
    Checks.range(yName, y, yOff, total);
    return (long) batch * spatial;
  }

  private static double squaredDeviations(float[] a, int off, int n, double mean) {
    double s0 = 0;
    double s1 = 0;
    int i = 0;
    for (; i + 2 <= n; i += 2) {
      double d0 = a[off + i] - mean;
      double d1 = a[off + i + 1] - mean;
      s0 += d0 * d0;
      s1 += d1 * d1;
    }
    for (; i < n; i++) {
      double d = a[off + i] - mean;
      s0 += d * d;
    }
    return s0 + s1;
  }

  /** Σ dy·(x − mean) in double. */
  private static double dot(float[] dy, int dOff, float[] x, int xOff, int n, float mean) {
    double s0 = 0;
    double s1 = 0;
    int i = 0;
    for (; i + 2 <= n; i += 2) {
      s0 += (double) dy[dOff + i] * (x[xOff + i] - mean);
      s1 += (double) dy[dOff + i + 1] * (x[xOff + i + 1] - mean);
    }
    for (; i < n; i++) {
      s0 += (double) dy[dOff + i] * (x[xOff + i] - mean);
    }
    return s0 + s1;
  }
}
