package io.kiln.runtime.panama;

import io.kiln.runtime.simd.LayerNormKernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LayerNormKernels} on whole vectors. The element-wise passes end with the scalar twin on the
 * row's last {@code n mod L} values (same operations per element). The row statistics convert each
 * vector of floats to two of doubles and keep a sum per double lane; {@link #inputGradient} keeps a
 * float sum per lane and runs its ragged end through a mask (zeros add nothing). Lanes are added in
 * order, not by {@code reduceLanes}, whose order differs between C2 and the interpreter.
 */
final class PanamaLayerNorm implements LayerNormKernels {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final int L = F.length();

  @Override
  public void add(float[] sum, int sumOff, float[] x, int xOff, float[] r, int rOff, int n) {
    int j = 0;
    for (; j <= n - L; j += L) {
      FloatVector.fromArray(F, x, xOff + j).add(FloatVector.fromArray(F, r, rOff + j)).intoArray(sum, sumOff + j);
    }
    SCALAR.add(sum, sumOff + j, x, xOff + j, r, rOff + j, n - j);
  }

  @Override
  public void statistics(float[] u, int off, int n, float eps, float[] mean, int meanAt, float[] rstd, int rstdAt) {
    DoubleVector s0 = DoubleVector.zero(D);
    DoubleVector s1 = DoubleVector.zero(D);
    int j = 0;
    for (; j <= n - L; j += L) {
      FloatVector v = FloatVector.fromArray(F, u, off + j);
      s0 = s0.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0));
      s1 = s1.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1));
    }
    int body = j;
    DoubleVector t = s0.add(s1);
    double s = 0;
    for (int lane = 0; lane < D.length(); lane++) {
      s += t.lane(lane);
    }
    for (; j < n; j++) {
      s += u[off + j];
    }
    double mu = s / n;
    DoubleVector m = DoubleVector.broadcast(D, mu);
    s0 = DoubleVector.zero(D);
    s1 = DoubleVector.zero(D);
    for (j = 0; j < body; j += L) {
      FloatVector v = FloatVector.fromArray(F, u, off + j);
      DoubleVector d0 = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0)).sub(m);
      DoubleVector d1 = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1)).sub(m);
      s0 = d0.fma(d0, s0);
      s1 = d1.fma(d1, s1);
    }
    t = s0.add(s1);
    double sq = 0;
    for (int lane = 0; lane < D.length(); lane++) {
      sq += t.lane(lane);
    }
    for (; j < n; j++) {
      double d = u[off + j] - mu;
      sq += d * d;
    }
    mean[meanAt] = (float) mu;
    rstd[rstdAt] = (float) (1.0 / Math.sqrt(sq / n + eps));
  }

  @Override
  public void normalize(float[] y, int yOff, float[] u, int uOff, int n, float mean, float rstd, float[] gamma,
      int gammaOff, float[] beta, int betaOff) {
    FloatVector m = FloatVector.broadcast(F, mean);
    FloatVector rs = FloatVector.broadcast(F, rstd);
    int j = 0;
    for (; j <= n - L; j += L) {
      FloatVector v = FloatVector.fromArray(F, u, uOff + j).sub(m).mul(rs);
      if (gamma != null) {
        v = v.mul(FloatVector.fromArray(F, gamma, gammaOff + j));
      }
      if (beta != null) {
        v = v.add(FloatVector.fromArray(F, beta, betaOff + j));
      }
      v.intoArray(y, yOff + j);
    }
    SCALAR.normalize(y, yOff + j, u, uOff + j, n - j, mean, rstd, gamma, gammaOff + j, beta, betaOff + j);
  }

  @Override
  public void inputGradient(float[] du, int duOff, boolean accumulate, float[] dy, int dyOff, float[] u, int uOff,
      int n, float mean, float rstd, float[] gamma, int gammaOff) {
    FloatVector m = FloatVector.broadcast(F, mean);
    FloatVector rs = FloatVector.broadcast(F, rstd);
    FloatVector sg = FloatVector.zero(F);
    FloatVector sgx = FloatVector.zero(F);
    for (int j = 0; j < n; j += L) {
      VectorMask<Float> in = F.indexInRange(j, n);
      FloatVector g = FloatVector.fromArray(F, dy, dyOff + j, in);
      if (gamma != null) {
        g = g.mul(FloatVector.fromArray(F, gamma, gammaOff + j, in));
      }
      FloatVector xh = FloatVector.fromArray(F, u, uOff + j, in).sub(m).mul(rs);
      sg = sg.add(g);
      sgx = sgx.add(g.mul(xh));
    }
    float sumG = 0f;
    float sumGx = 0f;
    for (int lane = 0; lane < L; lane++) {
      sumG += sg.lane(lane);
      sumGx += sgx.lane(lane);
    }
    FloatVector mg = FloatVector.broadcast(F, sumG / n);
    FloatVector mgx = FloatVector.broadcast(F, sumGx / n);
    for (int j = 0; j < n; j += L) {
      VectorMask<Float> in = F.indexInRange(j, n);
      FloatVector g = FloatVector.fromArray(F, dy, dyOff + j, in);
      if (gamma != null) {
        g = g.mul(FloatVector.fromArray(F, gamma, gammaOff + j, in));
      }
      FloatVector xh = FloatVector.fromArray(F, u, uOff + j, in).sub(m).mul(rs);
      FloatVector v = rs.mul(g.sub(mg).sub(xh.mul(mgx)));
      if (accumulate) {
        v = FloatVector.fromArray(F, du, duOff + j, in).add(v);
      }
      v.intoArray(du, duOff + j, in);
    }
  }

  @Override
  public void accumulateParameterGradients(float[] dGamma, int dGammaOff, float[] dBeta, int dBetaOff, float[] dy,
      int dyOff, float[] u, int uOff, int n, float mean, float rstd) {
    FloatVector m = FloatVector.broadcast(F, mean);
    FloatVector rs = FloatVector.broadcast(F, rstd);
    int j = 0;
    for (; j <= n - L; j += L) {
      FloatVector d = FloatVector.fromArray(F, dy, dyOff + j);
      if (dGamma != null) {
        FloatVector xh = FloatVector.fromArray(F, u, uOff + j).sub(m).mul(rs);
        FloatVector.fromArray(F, dGamma, dGammaOff + j).add(d.mul(xh)).intoArray(dGamma, dGammaOff + j);
      }
      if (dBeta != null) {
        FloatVector.fromArray(F, dBeta, dBetaOff + j).add(d).intoArray(dBeta, dBetaOff + j);
      }
    }
    SCALAR.accumulateParameterGradients(dGamma, dGammaOff + j, dBeta, dBetaOff + j, dy, dyOff + j, u, uOff + j, n - j,
        mean, rstd);
  }
}
