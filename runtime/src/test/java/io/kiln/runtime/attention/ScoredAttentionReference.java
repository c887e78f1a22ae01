package io.kiln.runtime.attention;

import io.kiln.runtime.attention.ScoredAttention.Score;

/**
 * The double-precision twin of {@link ScoredAttention}: per batch element, per score, straight
 * from the formulas (no GEMM, no workspace, no threads); the oracle of its tests. Arguments and
 * accumulation rules are {@link ScoredAttention}'s, minus workspace and scratch ({@link #backward}
 * recomputes the forward pass).
 */
public final class ScoredAttentionReference {
  private ScoredAttentionReference() {}

  /** α of batch element b: [Tq][Tk] in double. */
  private static double[][] weights(Score kind, int b, int tq, int tk, int n, int a, float[] s, int sOff, float[] h,
      int hOff, float[] w1, int w1Off, float[] w2, int w2Off, float[] v, int vOff) {
    double[][] al = new double[tq][tk];
    for (int i = 0; i < tq; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < tk; j++) {
        al[i][j] = score(kind, b, i, j, tq, tk, n, a, s, sOff, h, hOff, w1, w1Off, w2, w2Off, v, vOff);
        max = Math.max(max, al[i][j]);
      }
      double sum = 0;
      for (int j = 0; j < tk; j++) {
        al[i][j] = Math.exp(al[i][j] - max);
        sum += al[i][j];
      }
      for (int j = 0; j < tk; j++) {
        al[i][j] /= sum;
      }
    }
    return al;
  }

  private static double score(Score kind, int b, int i, int j, int tq, int tk, int n, int a, float[] s, int sOff,
      float[] h, int hOff, float[] w1, int w1Off, float[] w2, int w2Off, float[] v, int vOff) {
    int si = sOff + (b * tq + i) * n;
    int hj = hOff + (b * tk + j) * n;
    double e = 0;
    switch (kind) {
      case DOT -> {
        for (int x = 0; x < n; x++) {
          e += (double) s[si + x] * h[hj + x];
        }
      }
      case GENERAL -> {
        for (int x = 0; x < n; x++) {
          for (int y = 0; y < n; y++) {
            e += (double) s[si + x] * w1[w1Off + x * n + y] * h[hj + y];
          }
        }
      }
      case ADDITIVE -> {
        for (int k = 0; k < a; k++) {
          double z = 0;
          for (int x = 0; x < n; x++) {
            z += (double) w1[w1Off + k * n + x] * s[si + x] + (double) w2[w2Off + k * n + x] * h[hj + x];
          }
          e += v[vOff + k] * Math.tanh(z);
        }
      }
    }
    return e;
  }

  /** As {@link ScoredAttention#forward}, without the workspace; {@code alpha} may be null. */
  public static void forward(Score kind, int batch, int tq, int tk, int n, int attn, float[] s, int sOff, float[] h,
      int hOff, float[] w1, int w1Off, float[] w2, int w2Off, float[] v, int vOff, float[] context, int cOff,
      float[] alpha, int alphaOff) {
    for (int b = 0; b < batch; b++) {
      double[][] al = weights(kind, b, tq, tk, n, attn, s, sOff, h, hOff, w1, w1Off, w2, w2Off, v, vOff);
      for (int i = 0; i < tq; i++) {
        for (int x = 0; x < n; x++) {
          double c = 0;
          for (int j = 0; j < tk; j++) {
            c += al[i][j] * h[hOff + (b * tk + j) * n + x];
          }
          context[cOff + (b * tq + i) * n + x] = (float) c;
        }
        if (alpha != null) {
          for (int j = 0; j < tk; j++) {
            alpha[alphaOff + (b * tq + i) * tk + j] = (float) al[i][j];
          }
        }
      }
    }
  }

  /** As {@link ScoredAttention#backward}, without workspace and scratch. */
  public static void backward(Score kind, int batch, int tq, int tk, int n, int attn, float[] s, int sOff, float[] h,
      int hOff, float[] w1, int w1Off, float[] w2, int w2Off, float[] v, int vOff, float[] dContext, int dcOff,
      float[] ds, int dsOff, float[] dh, int dhOff, boolean accumulate, float[] dW1, int dW1Off, float[] dW2,
      int dW2Off, float[] dV, int dVOff) {
    int a = attn;
    double[] gs = new double[batch * tq * n];
    double[] gh = new double[batch * tk * n];
    double[] gw1 = new double[kind == Score.GENERAL ? n * n : Math.max(a, 0) * n];
    double[] gw2 = new double[Math.max(a, 0) * n];
    double[] gv = new double[Math.max(a, 0)];
    for (int b = 0; b < batch; b++) {
      double[][] al = weights(kind, b, tq, tk, n, a, s, sOff, h, hOff, w1, w1Off, w2, w2Off, v, vOff);
      for (int i = 0; i < tq; i++) {
        int ci = dcOff + (b * tq + i) * n;
        int si = sOff + (b * tq + i) * n;
        double[] dal = new double[tk];
        double dot = 0;
        for (int j = 0; j < tk; j++) {
          int hj = hOff + (b * tk + j) * n;
          for (int x = 0; x < n; x++) {
            dal[j] += (double) dContext[ci + x] * h[hj + x];
            gh[(b * tk + j) * n + x] += al[i][j] * dContext[ci + x];
          }
          dot += al[i][j] * dal[j];
        }
        for (int j = 0; j < tk; j++) {
          int hj = hOff + (b * tk + j) * n;
          double de = al[i][j] * (dal[j] - dot);
          switch (kind) {
            case DOT -> {
              for (int x = 0; x < n; x++) {
                gs[(b * tq + i) * n + x] += de * h[hj + x];
                gh[(b * tk + j) * n + x] += de * s[si + x];
              }
            }
            case GENERAL -> {
              for (int x = 0; x < n; x++) {
                for (int y = 0; y < n; y++) {
                  double wxy = w1[w1Off + x * n + y];
                  gs[(b * tq + i) * n + x] += de * wxy * h[hj + y];
                  gh[(b * tk + j) * n + y] += de * s[si + x] * wxy;
                  gw1[x * n + y] += de * s[si + x] * h[hj + y];
                }
              }
            }
            case ADDITIVE -> {
              for (int k = 0; k < a; k++) {
                double z = 0;
                for (int x = 0; x < n; x++) {
                  z += (double) w1[w1Off + k * n + x] * s[si + x] + (double) w2[w2Off + k * n + x] * h[hj + x];
                }
                double t = Math.tanh(z);
                gv[k] += de * t;
                double dz = de * v[vOff + k] * (1 - t * t);
                for (int x = 0; x < n; x++) {
                  gs[(b * tq + i) * n + x] += dz * w1[w1Off + k * n + x];
                  gh[(b * tk + j) * n + x] += dz * w2[w2Off + k * n + x];
                  gw1[k * n + x] += dz * s[si + x];
                  gw2[k * n + x] += dz * h[hj + x];
                }
              }
            }
          }
        }
      }
    }
    put(ds, dsOff, gs, accumulate);
    put(dh, dhOff, gh, accumulate);
    if (kind != Score.DOT) {
      put(dW1, dW1Off, gw1, true);
    }
    if (kind == Score.ADDITIVE) {
      put(dW2, dW2Off, gw2, true);
      put(dV, dVOff, gv, true);
    }
  }

  private static void put(float[] dst, int off, double[] g, boolean accumulate) {
    if (dst == null) {
      return;
    }
    for (int i = 0; i < g.length; i++) {
      dst[off + i] = accumulate ? (float) (dst[off + i] + g[i]) : (float) g[i];
    }
  }
}
