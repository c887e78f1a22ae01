package io.kiln.runtime.attention;

/**
 * The naive twin of {@link MultiHeadAttention}: per batch element and head it materializes the
 * whole {@code [Tq, Tk]} score matrix in double precision, applies the mask, a plain (max-shifted)
 * softmax and the weighted sum; backward recomputes that forward pass and applies the textbook
 * softmax Jacobian. No blocking, no scratch, no threads; written to be read. It is the oracle the
 * flash kernels are tested against. Arguments, layouts and accumulation rules are
 * {@link MultiHeadAttention}'s, except that {@link #backward} needs neither o nor lse.
 */
public final class AttentionReference {
  private AttentionReference() {}

  /** Softmax probabilities of head h of batch element b: [Tq][Tk], masked entries 0. */
  private static double[][] probabilities(int b, int h, int tq, int tk, int heads, int d, boolean causal, float[] q,
      int qOff, float[] k, int kOff) {
    int ld = heads * d;
    double scale = MultiHeadAttention.scale(d);
    double[][] p = new double[tq][tk];
    for (int i = 0; i < tq; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < tk; j++) {
        if (causal && j > i) {
          p[i][j] = Double.NEGATIVE_INFINITY;
          continue;
        }
        double s = 0;
        for (int x = 0; x < d; x++) {
          s += (double) q[qOff + (b * tq + i) * ld + h * d + x] * k[kOff + (b * tk + j) * ld + h * d + x];
        }
        p[i][j] = s * scale;
        max = Math.max(max, p[i][j]);
      }
      double sum = 0;
      for (int j = 0; j < tk; j++) {
        p[i][j] = Math.exp(p[i][j] - max);
        sum += p[i][j];
      }
      for (int j = 0; j < tk; j++) {
        p[i][j] /= sum;
      }
    }
    return p;
  }

  /** Log-sum-exp of row i's scaled, masked scores (what {@link MultiHeadAttention#forward} saves). */
  private static double logSumExp(int b, int h, int i, int tq, int tk, int heads, int d, boolean causal, float[] q,
      int qOff, float[] k, int kOff) {
    int ld = heads * d;
    double scale = MultiHeadAttention.scale(d);
    int end = causal ? i + 1 : tk;
    double[] s = new double[end];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < end; j++) {
      for (int x = 0; x < d; x++) {
        s[j] += (double) q[qOff + (b * tq + i) * ld + h * d + x] * k[kOff + (b * tk + j) * ld + h * d + x];
      }
      s[j] *= scale;
      max = Math.max(max, s[j]);
    }
    double sum = 0;
    for (int j = 0; j < end; j++) {
      sum += Math.exp(s[j] - max);
    }
    return max + Math.log(sum);
  }

  /** As {@link MultiHeadAttention#forward}; {@code lse} may be null. */
  public static void forward(int batch, int tq, int tk, int heads, int headDim, boolean causal, float[] q, int qOff,
      float[] k, int kOff, float[] v, int vOff, float[] o, int oOff, float[] lse, int lseOff) {
    int d = headDim;
    int ld = heads * d;
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        double[][] p = probabilities(b, h, tq, tk, heads, d, causal, q, qOff, k, kOff);
        for (int i = 0; i < tq; i++) {
          for (int x = 0; x < d; x++) {
            double s = 0;
            for (int j = 0; j < tk; j++) {
              s += p[i][j] * v[vOff + (b * tk + j) * ld + h * d + x];
            }
            o[oOff + (b * tq + i) * ld + h * d + x] = (float) s;
          }
          if (lse != null) {
            lse[lseOff + (b * heads + h) * tq + i] =
                (float) logSumExp(b, h, i, tq, tk, heads, d, causal, q, qOff, k, kOff);
          }
        }
      }
    }
  }

  /** As {@link MultiHeadAttention#backward} (dq, dk, dv may be null; {@code accumulate} as there). */
  public static void backward(int batch, int tq, int tk, int heads, int headDim, boolean causal, float[] q, int qOff,
      float[] k, int kOff, float[] v, int vOff, float[] dO, int dOOff, float[] dq, int dqOff, float[] dk, int dkOff,
      float[] dv, int dvOff, boolean accumulate) {
    int d = headDim;
    int ld = heads * d;
    double scale = MultiHeadAttention.scale(d);
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        double[][] p = probabilities(b, h, tq, tk, heads, d, causal, q, qOff, k, kOff);
        double[][] gq = new double[tq][d];
        double[][] gk = new double[tk][d];
        double[][] gv = new double[tk][d];
        for (int i = 0; i < tq; i++) {
          int qi = (b * tq + i) * ld + h * d;
          // dP_ij = dO_i · v_j; dS_ij = P_ij (dP_ij − Σ_l P_il dP_il)
          double[] dp = new double[tk];
          double dot = 0;
          for (int j = 0; j < tk; j++) {
            int kj = (b * tk + j) * ld + h * d;
            for (int x = 0; x < d; x++) {
              dp[j] += (double) dO[dOOff + qi + x] * v[vOff + kj + x];
              gv[j][x] += p[i][j] * dO[dOOff + qi + x];
            }
            dot += p[i][j] * dp[j];
          }
          for (int j = 0; j < tk; j++) {
            int kj = (b * tk + j) * ld + h * d;
            double ds = p[i][j] * (dp[j] - dot) * scale;
            for (int x = 0; x < d; x++) {
              gq[i][x] += ds * k[kOff + kj + x];
              gk[j][x] += ds * q[qOff + qi + x];
            }
          }
        }
        for (int i = 0; i < tq; i++) {
          put(dq, dqOff + (b * tq + i) * ld + h * d, gq[i], accumulate);
        }
        for (int j = 0; j < tk; j++) {
          put(dk, dkOff + (b * tk + j) * ld + h * d, gk[j], accumulate);
          put(dv, dvOff + (b * tk + j) * ld + h * d, gv[j], accumulate);
        }
      }
    }
  }

  private static void put(float[] dst, int off, double[] g, boolean accumulate) {
    if (dst == null) {
      return;
    }
    for (int x = 0; x < g.length; x++) {
      dst[off + x] = accumulate ? (float) (dst[off + x] + g[x]) : (float) g[x];
    }
  }
}
