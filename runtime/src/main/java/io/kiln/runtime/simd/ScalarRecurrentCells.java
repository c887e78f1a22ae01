package io.kiln.runtime.simd;

/**
 * The plain Java {@link RecurrentCells}: the fallback without {@code jdk.incubator.vector}, and the
 * scalar tail of the vector passes. Transcendentals in double precision, rounded once (as
 * {@link io.kiln.runtime.simd.ScalarElementwise}); the rest in float, in the operation order the
 * vector passes use.
 */
public final class ScalarRecurrentCells implements RecurrentCells {

  /** Use {@link Vectorization#scalar()}; public for the panama package's tails. */
  public ScalarRecurrentCells() {}

  /**
   * The logistic function without overflow for either sign. {@link FastMath}, not Math.exp: the
   * JDK may give Math.exp/tanh different bits before and after JIT compilation, and a seed must
   * reproduce its losses.
   */
  static float sigmoid(float z) {
    return FastMath.sigmoid(z);
  }

  static float tanh(float z) {
    return FastMath.tanh(z);
  }

  @Override
  public void elmanForward(boolean relu, float[] a, int aOff, int n) {
    if (relu) {
      for (int j = aOff; j < aOff + n; j++) {
        a[j] = Math.max(a[j], 0f);
      }
    } else {
      for (int j = aOff; j < aOff + n; j++) {
        a[j] = tanh(a[j]);
      }
    }
  }

  @Override
  public void lstmForward(float[] a, int aOff, float[] cPrev, int cPrevOff, float[] c, int cOff, float[] h, int hOff,
      int n, int gateStride) {
    int s = gateStride;
    for (int j = 0; j < n; j++) {
      float i = sigmoid(a[aOff + j]);
      float f = sigmoid(a[aOff + s + j]);
      float g = tanh(a[aOff + 2 * s + j]);
      float o = sigmoid(a[aOff + 3 * s + j]);
      a[aOff + j] = i;
      a[aOff + s + j] = f;
      a[aOff + 2 * s + j] = g;
      a[aOff + 3 * s + j] = o;
      float cp = cPrev == null ? 0f : cPrev[cPrevOff + j];
      float cn = f * cp + i * g;
      c[cOff + j] = cn;
      h[hOff + j] = o * tanh(cn);
    }
  }

  @Override
  public void gruForward(float[] a, int aOff, float[] rec, int recOff, float[] hPrev, int hPrevOff, float[] hn,
      int hnOff, float[] h, int hOff, int n, int gateStride) {
    int s = gateStride;
    for (int j = 0; j < n; j++) {
      float r = sigmoid(a[aOff + j] + rec[recOff + j]);
      float z = sigmoid(a[aOff + s + j] + rec[recOff + s + j]);
      float hnj = rec[recOff + 2 * s + j];
      float nn = tanh(a[aOff + 2 * s + j] + r * hnj);
      a[aOff + j] = r;
      a[aOff + s + j] = z;
      a[aOff + 2 * s + j] = nn;
      hn[hnOff + j] = hnj;
      float hp = hPrev[hPrevOff + j];
      // (1 − z)·n + z·h = n + z·(h − n)
      h[hOff + j] = nn + z * (hp - nn);
    }
  }

  @Override
  public void elmanBackward(boolean relu, float[] a, int aOff, float[] dh, int dhOff, float[] dy, int dyOff,
      float[] da, int daOff, int n) {
    for (int j = 0; j < n; j++) {
      float d = dy == null ? dh[dhOff + j] : dh[dhOff + j] + dy[dyOff + j];
      float y = a[aOff + j];
      da[daOff + j] = relu ? (y > 0f ? d : 0f) : d * (1f - y * y);
    }
  }

  @Override
  public void lstmBackward(float[] ws, int aOff, int cOff, float[] cPrev, int cPrevOff, float[] sc, int dhOff,
      float[] dy, int dyOff, int dcOff, int daOff, int n) {
    float[] a = ws;
    float[] c = ws;
    float[] dh = sc;
    float[] dc = sc;
    float[] da = sc;
    for (int j = 0; j < n; j++) {
      float i = a[aOff + j];
      float f = a[aOff + n + j];
      float g = a[aOff + 2 * n + j];
      float o = a[aOff + 3 * n + j];
      float d = dy == null ? dh[dhOff + j] : dh[dhOff + j] + dy[dyOff + j];
      float tc = tanh(c[cOff + j]);
      float dct = dc[dcOff + j] + d * o * (1f - tc * tc);
      float cp = cPrev == null ? 0f : cPrev[cPrevOff + j];
      da[daOff + j] = dct * g * (i * (1f - i));
      da[daOff + n + j] = dct * cp * (f * (1f - f));
      da[daOff + 2 * n + j] = dct * i * (1f - g * g);
      da[daOff + 3 * n + j] = d * tc * (o * (1f - o));
      dc[dcOff + j] = dct * f;
    }
  }

  @Override
  public void gruBackward(float[] ws, int aOff, int hnOff, int hPrevOff, float[] sc, int dhOff, float[] dy, int dyOff,
      int dRecOff, int dNOff, int n) {
    float[] a = ws;
    float[] hn = ws;
    float[] hPrev = ws;
    float[] dh = sc;
    float[] dRec = sc;
    float[] dN = sc;
    for (int j = 0; j < n; j++) {
      float r = a[aOff + j];
      float z = a[aOff + n + j];
      float nn = a[aOff + 2 * n + j];
      float d = dy == null ? dh[dhOff + j] : dh[dhOff + j] + dy[dyOff + j];
      float dnHat = d * (1f - z) * (1f - nn * nn);
      float dzHat = d * (hPrev[hPrevOff + j] - nn) * (z * (1f - z));
      float drHat = dnHat * hn[hnOff + j] * (r * (1f - r));
      dRec[dRecOff + j] = drHat;
      dRec[dRecOff + n + j] = dzHat;
      dRec[dRecOff + 2 * n + j] = dnHat * r;
      dN[dNOff + j] = dnHat;
      dh[dhOff + j] = d * z;
    }
  }
}
