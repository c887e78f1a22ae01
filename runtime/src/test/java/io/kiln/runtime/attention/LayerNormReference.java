package io.kiln.runtime.attention;

/**
 * The double-precision twin of {@link LayerNorm}: per row, textbook formulas, no threads; the
 * oracle of its tests. Same arguments and accumulation rules ({@link #backward} recomputes the
 * statistics from {@code u} instead of reading the saved mean and rstd).
 */
public final class LayerNormReference {
  private LayerNormReference() {}

  /** As {@link LayerNorm#forward}; {@code sum}, {@code mean}, {@code rstd} may be null. */
  public static void forward(int rows, int n, float eps, float[] x, int xOff, float[] r, int rOff, float[] sum,
      int sumOff, float[] gamma, int gammaOff, float[] beta, int betaOff, float[] y, int yOff, float[] mean,
      int meanOff, float[] rstd, int rstdOff) {
    for (int row = 0; row < rows; row++) {
      double[] u = new double[n];
      for (int j = 0; j < n; j++) {
        // the sum as the float the fast kernel stores (its backward input)
        u[j] = r == null ? x[xOff + row * n + j] : (float) (x[xOff + row * n + j] + r[rOff + row * n + j]);
        if (r != null && sum != null) {
          sum[sumOff + row * n + j] = (float) u[j];
        }
      }
      double mu = 0;
      for (double a : u) {
        mu += a;
      }
      mu /= n;
      double var = 0;
      for (double a : u) {
        var += (a - mu) * (a - mu);
      }
      var /= n;
      double rs = 1 / Math.sqrt(var + eps);
      for (int j = 0; j < n; j++) {
        double g = gamma == null ? 1 : gamma[gammaOff + j];
        double b = beta == null ? 0 : beta[betaOff + j];
        y[yOff + row * n + j] = (float) ((u[j] - mu) * rs * g + b);
      }
      if (mean != null) {
        mean[meanOff + row] = (float) mu;
      }
      if (rstd != null) {
        rstd[rstdOff + row] = (float) rs;
      }
    }
  }

  /** As {@link LayerNorm#backward}, given eps instead of the saved statistics. */
  public static void backward(int rows, int n, float eps, float[] u, int uOff, float[] gamma, int gammaOff,
      float[] dy, int dyOff, float[] du, int duOff, boolean accumulate, float[] dGamma, int dGammaOff,
      float[] dBeta, int dBetaOff) {
    for (int row = 0; row < rows; row++) {
      int o = row * n;
      double mu = 0;
      for (int j = 0; j < n; j++) {
        mu += u[uOff + o + j];
      }
      mu /= n;
      double var = 0;
      for (int j = 0; j < n; j++) {
        var += (u[uOff + o + j] - mu) * (u[uOff + o + j] - mu);
      }
      var /= n;
      double rs = 1 / Math.sqrt(var + eps);
      double[] xh = new double[n];
      double[] g = new double[n];
      double mg = 0;
      double mgx = 0;
      for (int j = 0; j < n; j++) {
        xh[j] = (u[uOff + o + j] - mu) * rs;
        g[j] = dy[dyOff + o + j] * (gamma == null ? 1.0 : gamma[gammaOff + j]);
        mg += g[j] / n;
        mgx += g[j] * xh[j] / n;
        if (dGamma != null) {
          dGamma[dGammaOff + j] += (float) (dy[dyOff + o + j] * xh[j]);
        }
        if (dBeta != null) {
          dBeta[dBetaOff + j] += dy[dyOff + o + j];
        }
      }
      if (du != null) {
        for (int j = 0; j < n; j++) {
          double v = rs * (g[j] - mg - xh[j] * mgx);
          du[duOff + o + j] = accumulate ? (float) (du[duOff + o + j] + v) : (float) v;
        }
      }
    }
  }
}
