package io.kiln.runtime.panama;

import io.kiln.runtime.simd.LayerNormKernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LayerNormKernels} on whole vectors. The element-wise passes end with the scalar twin on the
 * row's last {@code n mod L} values (same operations per element). The row statistics convert each
 * vector of floats to two of doubles and keep a sum per double lane; {@link #inputGradient} keeps a
 * float sum per lane and adds the ragged end's terms one by one. No masks: a masked loop elsewhere
 * allocated in one compile order.
 */
final class PanamaLayerNorm implements LayerNormKernels {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final int L = F.length();
  /**
   * A vector's lanes are summed by adding it to itself with lane i swapped with i ^ h, for h = L/2,
   * L/4, …, 1: a fixed tree, the same in C2 and the interpreter (reduceLanes is not: C2 adds its
   * lanes as a tree, the interpreter in order), and 4 shuffles instead of 16 lane reads.
   */
  private static final VectorShuffle<Float>[] SWAPS_F = swaps(F);
  private static final VectorShuffle<Double>[] SWAPS_D = swaps(D);

  @SuppressWarnings("unchecked")
  private static <E> VectorShuffle<E>[] swaps(VectorSpecies<E> species) {
    int rounds = Integer.numberOfTrailingZeros(species.length());
    VectorShuffle<E>[] swaps = new VectorShuffle[rounds];
    for (int r = 0; r < rounds; r++) {
      int h = species.length() >> (r + 1);
      swaps[r] = VectorShuffle.fromOp(species, i -> i ^ h);
    }
    return swaps;
  }

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
    for (VectorShuffle<Double> swap : SWAPS_D) {
      t = t.add(t.rearrange(swap));
    }
    double s = t.lane(0);
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
    // the same lane tree as the mean's, written out: a helper taking the vectors boxed them where
    // C2 did not inline it (AttentionAllocationTest caught the allocation)
    t = s0.add(s1);
    for (VectorShuffle<Double> swap : SWAPS_D) {
      t = t.add(t.rearrange(swap));
    }
    double sq = t.lane(0);
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
    int body = n - n % L;
    for (int j = 0; j < body; j += L) {
      FloatVector g = FloatVector.fromArray(F, dy, dyOff + j);
      if (gamma != null) {
        g = g.mul(FloatVector.fromArray(F, gamma, gammaOff + j));
      }
      FloatVector xh = FloatVector.fromArray(F, u, uOff + j).sub(m).mul(rs);
      sg = sg.add(g);
      sgx = sgx.add(g.mul(xh));
    }
    for (VectorShuffle<Float> swap : SWAPS_F) {
      sg = sg.add(sg.rearrange(swap));
      sgx = sgx.add(sgx.rearrange(swap));
    }
    float sumG = sg.lane(0);
    float sumGx = sgx.lane(0);
    for (int j = body; j < n; j++) {
      float g = gamma == null ? dy[dyOff + j] : dy[dyOff + j] * gamma[gammaOff + j];
      sumG += g;
      sumGx += g * ((u[uOff + j] - mean) * rstd);
    }
    float mg = sumG / n;
    float mgx = sumGx / n;
    FloatVector vmg = FloatVector.broadcast(F, mg);
    FloatVector vmgx = FloatVector.broadcast(F, mgx);
    for (int j = 0; j < body; j += L) {
      FloatVector g = FloatVector.fromArray(F, dy, dyOff + j);
      if (gamma != null) {
        g = g.mul(FloatVector.fromArray(F, gamma, gammaOff + j));
      }
      FloatVector xh = FloatVector.fromArray(F, u, uOff + j).sub(m).mul(rs);
      FloatVector v = rs.mul(g.sub(vmg).sub(xh.mul(vmgx)));
      if (accumulate) {
        v = FloatVector.fromArray(F, du, duOff + j).add(v);
      }
      v.intoArray(du, duOff + j);
    }
    for (int j = body; j < n; j++) {
      float g = gamma == null ? dy[dyOff + j] : dy[dyOff + j] * gamma[gammaOff + j];
      float v = rstd * ((g - mg) - ((u[uOff + j] - mean) * rstd) * mgx);
      du[duOff + j] = accumulate ? du[duOff + j] + v : v;
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
