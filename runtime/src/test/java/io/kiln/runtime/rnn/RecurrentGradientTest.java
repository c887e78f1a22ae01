package io.kiln.runtime.rnn;

import static io.kiln.runtime.rnn.RnnTestArrays.OFF;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Finite differences of {@code L = Σ dy·y + Σ dhT·hT (+ Σ dcT·cT)} (double sums over the fast float
 * forward pass) against the fast backward pass, for every input, weight, bias and initial state,
 * over several steps.
 */
class RecurrentGradientTest {

  @ParameterizedTest
  @EnumSource(CellKind.class)
  void everyGradientMatchesFiniteDifferences(CellKind kind) {
    RecurrentGeometry g = new RecurrentGeometry(kind, 3, 5);
    RnnFixture f = new RnnFixture(g, 2, 4, true, true, 17);
    f.zeroGradients();
    f.forward();
    f.backward();
    // ReLU has kinks: a smaller step makes crossing one unlikely (the seed is fixed and checked)
    float eps = kind == CellKind.RNN_RELU ? 1e-3f : 1e-2f;
    double abs = kind == CellKind.RNN_RELU ? 3e-3 : 1e-3;
    check("x", f, f.x, f.dx, eps, abs);
    check("weight_ih", f, f.wIh, f.dWIh, eps, abs);
    check("weight_hh", f, f.wHh, f.dWHh, eps, abs);
    check("bias_ih", f, f.bIh, f.dBIh, eps, abs);
    check("bias_hh", f, f.bHh, f.dBHh, eps, abs);
    check("h0", f, f.h0, f.dh0, eps, abs);
    if (kind == CellKind.LSTM) {
      check("c0", f, f.c0, f.dc0, eps, abs);
    }
  }

  private static void check(String name, RnnFixture f, float[] p, float[] grad, float eps, double abs) {
    int n = p.length - 2 * OFF;
    for (int i = 0; i < n; i++) {
      float old = p[OFF + i];
      p[OFF + i] = old + eps;
      f.forward();
      double plus = f.loss();
      p[OFF + i] = old - eps;
      f.forward();
      double minus = f.loss();
      p[OFF + i] = old;
      double numeric = (plus - minus) / ((double) (old + eps) - (double) (old - eps));
      double analytic = grad[OFF + i];
      double tol = abs + 1e-2 * Math.abs(numeric);
      if (!(Math.abs(numeric - analytic) <= tol)) {
        fail(f.g + ": d" + name + "[" + i + "] analytic " + analytic + " vs finite difference " + numeric
            + " (tolerance " + tol + ")");
      }
    }
  }
}
