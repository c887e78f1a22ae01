package io.kiln.runtime.rnn;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;

/**
 * One step of an LSTM and a GRU with hand-set weights, against the formulas written out by hand
 * (so the gate order and the weight layout are pinned) and against the values
 * {@code torch.nn.LSTM/GRU(2, 2, batch_first=True)} printed for the same weights (torch 2.x).
 */
class PyTorchFormulaTest {
  private static final float[] W_IH = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 0.7f, -0.8f, 0.2f, 0.1f, -0.3f, 0.5f,
      0.9f, -0.1f, 0.05f, 0.25f};
  private static final float[] W_HH = {0.2f, 0.1f, -0.1f, 0.3f, 0.4f, -0.2f, 0.15f, 0.05f, -0.25f, 0.35f, 0.3f, 0.3f,
      -0.6f, 0.1f, 0.2f, -0.4f};
  private static final float[] B_IH = {0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f, 0.07f, 0.08f};
  private static final float[] B_HH = {-0.1f, 0.2f, -0.3f, 0.4f, -0.5f, 0.6f, -0.7f, 0.8f};
  private static final float[] X = {0.5f, -1.0f};
  private static final float[] H0 = {0.2f, -0.3f};
  private static final float[] C0 = {0.4f, 0.1f};

  /** Row r of W_ih·x + b_ih + W_hh·h0 + b_hh, in double. */
  private static double pre(int r) {
    return W_IH[2 * r] * (double) X[0] + W_IH[2 * r + 1] * (double) X[1] + B_IH[r]
        + W_HH[2 * r] * (double) H0[0] + W_HH[2 * r + 1] * (double) H0[1] + B_HH[r];
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  @Test
  void lstmGatesAreIfgo() {
    RecurrentGeometry g = new RecurrentGeometry(CellKind.LSTM, 2, 2);
    float[] y = new float[2];
    float[] hT = new float[2];
    float[] cT = new float[2];
    Recurrent.forward(g, 1, 1, X, 0, W_IH, 0, W_HH, 0, B_IH, 0, B_HH, 0, H0, 0, C0, 0, y, 0, hT, 0, cT, 0,
        new float[g.workspaceFloats(1, 1)], 0);
    for (int j = 0; j < 2; j++) {
      // rows: i = 0..1, f = 2..3, g = 4..5, o = 6..7
      double i = sigmoid(pre(j));
      double f = sigmoid(pre(2 + j));
      double gg = Math.tanh(pre(4 + j));
      double o = sigmoid(pre(6 + j));
      double c = f * C0[j] + i * gg;
      double h = o * Math.tanh(c);
      assertThat((double) cT[j]).isWithin(1e-6).of(c);
      assertThat((double) y[j]).isWithin(1e-6).of(h);
      assertThat(hT[j]).isEqualTo(y[j]);
    }
    // printed by PyTorch for these weights
    assertThat((double) y[0]).isWithin(1e-6).of(-0.0805860385298729);
    assertThat((double) y[1]).isWithin(1e-6).of(0.051181964576244354);
    assertThat((double) cT[0]).isWithin(1e-6).of(-0.18406245112419128);
    assertThat((double) cT[1]).isWithin(1e-6).of(0.07397174090147018);
  }

  @Test
  void gruGatesAreRznWithResetInsideTheRecurrentTerm() {
    RecurrentGeometry g = new RecurrentGeometry(CellKind.GRU, 2, 2);
    float[] y = new float[2];
    Recurrent.forward(g, 1, 1, X, 0, W_IH, 0, W_HH, 0, B_IH, 0, B_HH, 0, H0, 0, null, 0, y, 0, null, 0, null, 0,
        new float[g.workspaceFloats(1, 1)], 0);
    for (int j = 0; j < 2; j++) {
      // rows: r = 0..1, z = 2..3, n = 4..5
      double r = sigmoid(pre(j));
      double z = sigmoid(pre(2 + j));
      int rn = 4 + j;
      double inN = W_IH[2 * rn] * (double) X[0] + W_IH[2 * rn + 1] * (double) X[1] + B_IH[rn];
      double hN = W_HH[2 * rn] * (double) H0[0] + W_HH[2 * rn + 1] * (double) H0[1] + B_HH[rn];
      double n = Math.tanh(inN + r * hN);
      double h = (1 - z) * n + z * H0[j];
      assertThat((double) y[j]).isWithin(1e-6).of(h);
    }
    assertThat((double) y[0]).isWithin(1e-6).of(-0.16073913872241974);
    assertThat((double) y[1]).isWithin(1e-6).of(-0.3023330271244049);
  }

  @Test
  void referenceAgreesOnTheSameStep() {
    RecurrentGeometry g = new RecurrentGeometry(CellKind.LSTM, 2, 2);
    float[] y = new float[2];
    RecurrentReference.forward(g, 1, 1, X, 0, W_IH, 0, W_HH, 0, B_IH, 0, B_HH, 0, H0, 0, C0, 0, y, 0, null, 0,
        null, 0);
    assertThat((double) y[0]).isWithin(1e-7).of(-0.0805860385298729);
    RecurrentGeometry gru = new RecurrentGeometry(CellKind.GRU, 2, 2);
    RecurrentReference.forward(gru, 1, 1, X, 0, W_IH, 0, W_HH, 0, B_IH, 0, B_HH, 0, H0, 0, null, 0, y, 0, null, 0,
        null, 0);
    assertThat((double) y[1]).isWithin(1e-7).of(-0.3023330271244049);
  }
}
