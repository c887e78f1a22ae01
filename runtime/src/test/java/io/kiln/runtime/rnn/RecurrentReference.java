package io.kiln.runtime.rnn;

/**
 * The scalar twin of {@link Recurrent}: per sample, per step, per gate, per unit, in double
 * precision, no GEMM, no workspace; written to be read rather than fast. It is the oracle the fast
 * kernels are tested against (the processor's tests may use it too). Formulas are PyTorch's
 * ({@code torch.nn.RNN/LSTM/GRU}, see {@link CellKind}); arguments and accumulation rules are
 * {@link Recurrent}'s, except that {@link #backward} takes the biases and recomputes the forward
 * pass itself.
 */
public final class RecurrentReference {
  private RecurrentReference() {}

  /** Forward states of one sample, every step: [t][...] in double. */
  private static final class Trace {
    final double[][] xi; // [T][G·H] W_ih x + b_ih
    final double[][] hh; // [T][G·H] W_hh h_{t−1} + b_hh
    final double[][] act; // [T][G·H] gate activations (Elman: h_t)
    final double[][] h; // [T+1][H]: h[0] = h_{−1}
    final double[][] c; // [T+1][H]: c[0] = c_{−1} (LSTM)

    Trace(int steps, int gh, int hidden) {
      xi = new double[steps][gh];
      hh = new double[steps][gh];
      act = new double[steps][gh];
      h = new double[steps + 1][hidden];
      c = new double[steps + 1][hidden];
    }
  }

  private static double sigmoid(double z) {
    return 1.0 / (1.0 + Math.exp(-z));
  }

  private static Trace run(RecurrentGeometry g, int b, int steps, float[] x, int xOff, float[] wIh, int wIhOff,
      float[] wHh, int wHhOff, float[] bIh, int bIhOff, float[] bHh, int bHhOff, float[] h0, int h0Off, float[] c0,
      int c0Off) {
    int hid = g.hidden();
    int in = g.input();
    int gh = g.gateWidth();
    Trace tr = new Trace(steps, gh, hid);
    for (int j = 0; j < hid; j++) {
      tr.h[0][j] = h0 == null ? 0 : h0[h0Off + b * hid + j];
      tr.c[0][j] = c0 == null || g.kind() != CellKind.LSTM ? 0 : c0[c0Off + b * hid + j];
    }
    for (int t = 0; t < steps; t++) {
      int xRow = xOff + (b * steps + t) * in;
      for (int r = 0; r < gh; r++) {
        double si = bIh == null ? 0 : bIh[bIhOff + r];
        for (int k = 0; k < in; k++) {
          si += (double) wIh[wIhOff + r * in + k] * x[xRow + k];
        }
        double sh = bHh == null ? 0 : bHh[bHhOff + r];
        for (int k = 0; k < hid; k++) {
          sh += wHh[wHhOff + r * hid + k] * tr.h[t][k];
        }
        tr.xi[t][r] = si;
        tr.hh[t][r] = sh;
      }
      double[] a = tr.act[t];
      for (int j = 0; j < hid; j++) {
        switch (g.kind()) {
          case RNN_TANH -> {
            a[j] = Math.tanh(tr.xi[t][j] + tr.hh[t][j]);
            tr.h[t + 1][j] = a[j];
          }
          case RNN_RELU -> {
            a[j] = Math.max(0, tr.xi[t][j] + tr.hh[t][j]);
            tr.h[t + 1][j] = a[j];
          }
          case LSTM -> {
            double i = sigmoid(tr.xi[t][j] + tr.hh[t][j]);
            double f = sigmoid(tr.xi[t][hid + j] + tr.hh[t][hid + j]);
            double gg = Math.tanh(tr.xi[t][2 * hid + j] + tr.hh[t][2 * hid + j]);
            double o = sigmoid(tr.xi[t][3 * hid + j] + tr.hh[t][3 * hid + j]);
            a[j] = i;
            a[hid + j] = f;
            a[2 * hid + j] = gg;
            a[3 * hid + j] = o;
            tr.c[t + 1][j] = f * tr.c[t][j] + i * gg;
            tr.h[t + 1][j] = o * Math.tanh(tr.c[t + 1][j]);
          }
          case GRU -> {
            double r = sigmoid(tr.xi[t][j] + tr.hh[t][j]);
            double z = sigmoid(tr.xi[t][hid + j] + tr.hh[t][hid + j]);
            double n = Math.tanh(tr.xi[t][2 * hid + j] + r * tr.hh[t][2 * hid + j]);
            a[j] = r;
            a[hid + j] = z;
            a[2 * hid + j] = n;
            tr.h[t + 1][j] = (1 - z) * n + z * tr.h[t][j];
          }
        }
      }
    }
    return tr;
  }

  /** See {@link Recurrent#forward}, without the workspace. */
  public static void forward(RecurrentGeometry g, int batch, int steps, float[] x, int xOff,
      float[] wIh, int wIhOff, float[] wHh, int wHhOff, float[] bIh, int bIhOff, float[] bHh, int bHhOff,
      float[] h0, int h0Off, float[] c0, int c0Off, float[] y, int yOff, float[] hT, int hTOff, float[] cT,
      int cTOff) {
    int hid = g.hidden();
    for (int b = 0; b < batch; b++) {
      Trace tr = run(g, b, steps, x, xOff, wIh, wIhOff, wHh, wHhOff, bIh, bIhOff, bHh, bHhOff, h0, h0Off, c0, c0Off);
      for (int j = 0; j < hid; j++) {
        for (int t = 0; t < steps && y != null; t++) {
          y[yOff + (b * steps + t) * hid + j] = (float) tr.h[t + 1][j];
        }
        if (hT != null) {
          hT[hTOff + b * hid + j] = (float) tr.h[steps][j];
        }
        if (cT != null && g.kind() == CellKind.LSTM) {
          cT[cTOff + b * hid + j] = (float) tr.c[steps][j];
        }
      }
    }
  }

  /**
   * See {@link Recurrent#backward}; takes the biases (null: none) instead of a workspace and
   * recomputes the forward pass. dx is written (or added to when {@code accumulateDx}), dh0/dc0
   * written, the weight and bias gradients accumulated; any of them may be null to skip.
   */
  public static void backward(RecurrentGeometry g, int batch, int steps, float[] x, int xOff,
      float[] wIh, int wIhOff, float[] wHh, int wHhOff, float[] bIh, int bIhOff, float[] bHh, int bHhOff,
      float[] h0, int h0Off, float[] c0, int c0Off,
      float[] dy, int dyOff, float[] dhT, int dhTOff, float[] dcT, int dcTOff,
      float[] dx, int dxOff, boolean accumulateDx, float[] dh0, int dh0Off, float[] dc0, int dc0Off,
      float[] dWIh, int dWIhOff, float[] dWHh, int dWHhOff, float[] dBIh, int dBIhOff, float[] dBHh, int dBHhOff) {
    int hid = g.hidden();
    int in = g.input();
    int gh = g.gateWidth();
    CellKind kind = g.kind();
    double[] gwi = new double[g.weightIhSize()];
    double[] gwh = new double[g.weightHhSize()];
    double[] gbi = new double[gh];
    double[] gbh = new double[gh];
    for (int b = 0; b < batch; b++) {
      Trace tr = run(g, b, steps, x, xOff, wIh, wIhOff, wHh, wHhOff, bIh, bIhOff, bHh, bHhOff, h0, h0Off, c0, c0Off);
      double[] dhNext = new double[hid];
      double[] dcNext = new double[hid];
      for (int j = 0; j < hid; j++) {
        dhNext[j] = dhT == null ? 0 : dhT[dhTOff + b * hid + j];
        dcNext[j] = dcT == null || kind != CellKind.LSTM ? 0 : dcT[dcTOff + b * hid + j];
      }
      for (int t = steps - 1; t >= 0; t--) {
        double[] a = tr.act[t];
        double[] dxi = new double[gh]; // ∂L/∂(W_ih x + b_ih)
        double[] dhh = new double[gh]; // ∂L/∂(W_hh h + b_hh)
        double[] direct = new double[hid]; // ∂L/∂h_{t−1} not through W_hh (GRU)
        for (int j = 0; j < hid; j++) {
          double d = dhNext[j] + (dy == null ? 0 : dy[dyOff + (b * steps + t) * hid + j]);
          switch (kind) {
            case RNN_TANH -> dxi[j] = dhh[j] = d * (1 - a[j] * a[j]);
            case RNN_RELU -> dxi[j] = dhh[j] = a[j] > 0 ? d : 0;
            case LSTM -> {
              double i = a[j];
              double f = a[hid + j];
              double gg = a[2 * hid + j];
              double o = a[3 * hid + j];
              double tc = Math.tanh(tr.c[t + 1][j]);
              double dct = dcNext[j] + d * o * (1 - tc * tc);
              dxi[j] = dhh[j] = dct * gg * i * (1 - i);
              dxi[hid + j] = dhh[hid + j] = dct * tr.c[t][j] * f * (1 - f);
              dxi[2 * hid + j] = dhh[2 * hid + j] = dct * i * (1 - gg * gg);
              dxi[3 * hid + j] = dhh[3 * hid + j] = d * tc * o * (1 - o);
              dcNext[j] = dct * f;
            }
            case GRU -> {
              double r = a[j];
              double z = a[hid + j];
              double n = a[2 * hid + j];
              double dnHat = d * (1 - z) * (1 - n * n);
              double dzHat = d * (tr.h[t][j] - n) * z * (1 - z);
              double drHat = dnHat * tr.hh[t][2 * hid + j] * r * (1 - r);
              dxi[j] = dhh[j] = drHat;
              dxi[hid + j] = dhh[hid + j] = dzHat;
              dxi[2 * hid + j] = dnHat;
              dhh[2 * hid + j] = dnHat * r;
              direct[j] = d * z;
            }
          }
        }
        int xRow = xOff + (b * steps + t) * in;
        for (int r = 0; r < gh; r++) {
          gbi[r] += dxi[r];
          gbh[r] += dhh[r];
          for (int k = 0; k < in; k++) {
            gwi[r * in + k] += dxi[r] * x[xRow + k];
          }
          for (int k = 0; k < hid; k++) {
            gwh[r * hid + k] += dhh[r] * tr.h[t][k];
          }
        }
        if (dx != null) {
          for (int k = 0; k < in; k++) {
            double s = 0;
            for (int r = 0; r < gh; r++) {
              s += dxi[r] * wIh[wIhOff + r * in + k];
            }
            int at = dxOff + (b * steps + t) * in + k;
            dx[at] = (float) (accumulateDx ? dx[at] + s : s);
          }
        }
        for (int k = 0; k < hid; k++) {
          double s = direct[k];
          for (int r = 0; r < gh; r++) {
            s += dhh[r] * wHh[wHhOff + r * hid + k];
          }
          dhNext[k] = s;
        }
      }
      for (int j = 0; j < hid; j++) {
        if (dh0 != null) {
          dh0[dh0Off + b * hid + j] = (float) dhNext[j];
        }
        if (dc0 != null && kind == CellKind.LSTM) {
          dc0[dc0Off + b * hid + j] = (float) dcNext[j];
        }
      }
    }
    addInto(dWIh, dWIhOff, gwi);
    addInto(dWHh, dWHhOff, gwh);
    addInto(dBIh, dBIhOff, gbi);
    addInto(dBHh, dBHhOff, gbh);
  }

  private static void addInto(float[] dst, int off, double[] src) {
    if (dst == null) {
      return;
    }
    for (int i = 0; i < src.length; i++) {
      dst[off + i] = (float) (dst[off + i] + src[i]);
    }
  }
}
