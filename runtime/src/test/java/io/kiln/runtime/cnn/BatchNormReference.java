package io.kiln.runtime.cnn;

/**
 * The scalar twin of {@link BatchNorm}: the textbook formulas element by element in double
 * precision, the oracle the fast kernels are tested against. Same arguments and rules.
 */
public final class BatchNormReference {
  private BatchNormReference() {}

  private static int index(int channels, int spatial, int b, int c, int s) {
    return (b * channels + c) * spatial + s;
  }

  public static void forwardTrain(int batch, int channels, int spatial, float[] x, int xOff, float[] gamma,
      int gammaOff, float[] beta, int betaOff, float[] runningMean, int rmOff, float[] runningVar, int rvOff,
      float momentum, float eps, float[] y, int yOff, float[] saveMean, int smOff, float[] saveInvStd, int sisOff) {
    int n = batch * spatial;
    for (int c = 0; c < channels; c++) {
      double mean = 0;
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < spatial; s++) {
          mean += x[xOff + index(channels, spatial, b, c, s)];
        }
      }
      mean /= n;
      double var = 0;
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < spatial; s++) {
          double d = x[xOff + index(channels, spatial, b, c, s)] - mean;
          var += d * d;
        }
      }
      double unbiased = var / (n - 1);
      var /= n;
      double invStd = 1 / Math.sqrt(var + eps);
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < spatial; s++) {
          int i = index(channels, spatial, b, c, s);
          y[yOff + i] = (float) (gamma[gammaOff + c] * (x[xOff + i] - mean) * invStd + beta[betaOff + c]);
        }
      }
      saveMean[smOff + c] = (float) mean;
      saveInvStd[sisOff + c] = (float) invStd;
      runningMean[rmOff + c] = (float) ((1 - momentum) * runningMean[rmOff + c] + momentum * mean);
      runningVar[rvOff + c] = (float) ((1 - momentum) * runningVar[rvOff + c] + momentum * unbiased);
    }
  }

  public static void forwardEval(int batch, int channels, int spatial, float[] x, int xOff, float[] gamma,
      int gammaOff, float[] beta, int betaOff, float[] runningMean, int rmOff, float[] runningVar, int rvOff,
      float eps, float[] y, int yOff) {
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        for (int s = 0; s < spatial; s++) {
          int i = index(channels, spatial, b, c, s);
          y[yOff + i] = (float) (gamma[gammaOff + c] * (x[xOff + i] - runningMean[rmOff + c])
              / Math.sqrt(runningVar[rvOff + c] + (double) eps) + beta[betaOff + c]);
        }
      }
    }
  }

  public static void backward(int batch, int channels, int spatial, float[] x, int xOff, float[] gamma, int gammaOff,
      float[] saveMean, int smOff, float[] saveInvStd, int sisOff, float[] dy, int dyOff, float[] dx, int dxOff,
      boolean accumulate, float[] dGamma, int dgOff, float[] dBeta, int dbOff) {
    int n = batch * spatial;
    for (int c = 0; c < channels; c++) {
      double sumDy = 0;
      double sumDyXhat = 0;
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < spatial; s++) {
          int i = index(channels, spatial, b, c, s);
          double xhat = (x[xOff + i] - saveMean[smOff + c]) * (double) saveInvStd[sisOff + c];
          sumDy += dy[dyOff + i];
          sumDyXhat += dy[dyOff + i] * xhat;
        }
      }
      dBeta[dbOff + c] += (float) sumDy;
      dGamma[dgOff + c] += (float) sumDyXhat;
      if (dx == null) {
        continue;
      }
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < spatial; s++) {
          int i = index(channels, spatial, b, c, s);
          double xhat = (x[xOff + i] - saveMean[smOff + c]) * (double) saveInvStd[sisOff + c];
          double g = gamma[gammaOff + c] * (double) saveInvStd[sisOff + c] / n
              * (n * dy[dyOff + i] - sumDy - xhat * sumDyXhat);
          dx[dxOff + i] = (float) ((accumulate ? dx[dxOff + i] : 0) + g);
        }
      }
    }
  }
}
