package io.kiln.runtime.simd;

/**
 * The row kernels of {@code io.kiln.runtime.attention.LayerNorm}, so it can use the Vector API
 * without linking it. The default methods are the scalar twins.
 *
 * <p>What an implementation may change: the order in which {@link #statistics} and {@link
 * #inputGradient} add up a row's sums (lanes, then the lanes together), nothing else. Every
 * element of {@link #normalize}, {@link #inputGradient} (given the two row means) and {@link
 * #accumulateParameterGradients} is the same sequence of float operations as here, without
 * fused multiply-adds, so those agree bit for bit once the row statistics do.
 */
public interface LayerNormKernels {
  /** The scalar twins. */
  LayerNormKernels SCALAR = new LayerNormKernels() {};

  /** {@code sum[j] = x[j] + r[j]} for {@code j < n}. */
  default void add(float[] sum, int sumOff, float[] x, int xOff, float[] r, int rOff, int n) {
    for (int j = 0; j < n; j++) {
      sum[sumOff + j] = x[xOff + j] + r[rOff + j];
    }
  }

  /**
   * The row's mean and {@code 1/√(var + eps)} (biased variance) into {@code mean[meanAt]} and
   * {@code rstd[rstdAt]}. Both sums are in double, the mean first, then the squared deviations from
   * it: a row far from zero (values 10⁴ apart by 10⁻²) keeps its variance.
   */
  default void statistics(float[] u, int off, int n, float eps, float[] mean, int meanAt, float[] rstd, int rstdAt) {
    double mu = DoubleSum.of(u, off, n) / n;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      double d0 = u[off + j] - mu;
      double d1 = u[off + j + 1] - mu;
      double d2 = u[off + j + 2] - mu;
      double d3 = u[off + j + 3] - mu;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; j < n; j++) {
      double d = u[off + j] - mu;
      s0 += d * d;
    }
    double var = ((s0 + s1) + (s2 + s3)) / n;
    mean[meanAt] = (float) mu;
    rstd[rstdAt] = (float) (1.0 / Math.sqrt(var + eps));
  }

  /**
   * {@code y[j] = (u[j] − mean)·rstd·γ[j] + β[j]} for {@code j < n}; a null γ multiplies by
   * nothing, a null β adds nothing. y may alias u.
   */
  default void normalize(float[] y, int yOff, float[] u, int uOff, int n, float mean, float rstd, float[] gamma,
      int gammaOff, float[] beta, int betaOff) {
    for (int j = 0; j < n; j++) {
      float v = (u[uOff + j] - mean) * rstd;
      if (gamma != null) {
        v *= gamma[gammaOff + j];
      }
      if (beta != null) {
        v += beta[betaOff + j];
      }
      y[yOff + j] = v;
    }
  }

  /**
   * One row of ∂u: {@code du = rstd·((ĝ − mean(ĝ)) − x̂·mean(ĝ ⊙ x̂))} with {@code ĝ = dy ⊙ γ} (dy
   * where γ is null) and {@code x̂ = (u − mean)·rstd}; stored, or added to du with {@code
   * accumulate}. du may alias dy.
   */
  default void inputGradient(float[] du, int duOff, boolean accumulate, float[] dy, int dyOff, float[] u, int uOff,
      int n, float mean, float rstd, float[] gamma, int gammaOff) {
    // four interleaved sums of each: one running sum each is a chain of dependent adds
    float sg0 = 0f, sg1 = 0f, sg2 = 0f, sg3 = 0f;
    float sgx0 = 0f, sgx1 = 0f, sgx2 = 0f, sgx3 = 0f;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      float g0 = scaled(dy[dyOff + j], gamma, gammaOff + j);
      float g1 = scaled(dy[dyOff + j + 1], gamma, gammaOff + j + 1);
      float g2 = scaled(dy[dyOff + j + 2], gamma, gammaOff + j + 2);
      float g3 = scaled(dy[dyOff + j + 3], gamma, gammaOff + j + 3);
      sg0 += g0;
      sg1 += g1;
      sg2 += g2;
      sg3 += g3;
      sgx0 += g0 * ((u[uOff + j] - mean) * rstd);
      sgx1 += g1 * ((u[uOff + j + 1] - mean) * rstd);
      sgx2 += g2 * ((u[uOff + j + 2] - mean) * rstd);
      sgx3 += g3 * ((u[uOff + j + 3] - mean) * rstd);
    }
    for (; j < n; j++) {
      float g = scaled(dy[dyOff + j], gamma, gammaOff + j);
      sg0 += g;
      sgx0 += g * ((u[uOff + j] - mean) * rstd);
    }
    float mg = ((sg0 + sg1) + (sg2 + sg3)) / n;
    float mgx = ((sgx0 + sgx1) + (sgx2 + sgx3)) / n;
    for (j = 0; j < n; j++) {
      float g = scaled(dy[dyOff + j], gamma, gammaOff + j);
      float xh = (u[uOff + j] - mean) * rstd;
      float v = rstd * ((g - mg) - xh * mgx);
      du[duOff + j] = accumulate ? du[duOff + j] + v : v;
    }
  }

  private static float scaled(float dy, float[] gamma, int at) {
    return gamma == null ? dy : dy * gamma[at];
  }

  /**
   * One row's share of the parameter gradients: {@code dγ[j] += dy[j]·((u[j] − mean)·rstd)} and
   * {@code dβ[j] += dy[j]} for {@code j < n}; either may be null (skipped).
   */
  default void accumulateParameterGradients(float[] dGamma, int dGammaOff, float[] dBeta, int dBetaOff, float[] dy,
      int dyOff, float[] u, int uOff, int n, float mean, float rstd) {
    for (int j = 0; j < n; j++) {
      float d = dy[dyOff + j];
      if (dGamma != null) {
        dGamma[dGammaOff + j] += d * ((u[uOff + j] - mean) * rstd);
      }
      if (dBeta != null) {
        dBeta[dBetaOff + j] += d;
      }
    }
  }
}
