package io.kiln.runtime.cnn;

import io.kiln.runtime.Checks;

/**
 * Batch normalization over {@code [batch, C, spatial]} float32 tensors: {@code spatial = H·W} after a
 * convolution (PyTorch's {@code BatchNorm2d}), or 1 for a {@code [B, n]} input with {@code C = n}
 * ({@code BatchNorm1d}). Statistics are per channel over {@code batch·spatial} values, summed in
 * double precision (two passes: mean, then squared deviations). The oracle is
 * {@code BatchNormReference} (in the tests).
 */
public final class BatchNorm {
  private BatchNorm() {}

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
  public static void forwardTrain(int batch, int channels, int spatial, float[] x, int xOff, float[] gamma,
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
        sum += sum(x, first + b * stride, spatial);
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
  public static void forwardEval(int batch, int channels, int spatial, float[] x, int xOff, float[] gamma,
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
  public static void backward(int batch, int channels, int spatial, float[] x, int xOff, float[] gamma, int gammaOff,
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
        sumDy += sum(dy, di, spatial);
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

  /** Σ a[off..off+n) in double, four accumulators for ILP. */
  private static double sum(float[] a, int off, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
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
