package io.kiln.runtime.attention;

import io.kiln.runtime.Checks;

/**
 * Learned position embeddings ({@code @PositionEmbedding}): {@code y[b, t] = x[b, t] + P[t]} for a
 * sequence {@code [B, T, d]} and a table {@code P [maxLength, d]}.
 */
public final class Positions {
  private Positions() {}

  /** {@code y[b, t] = x[b, t] + P[t]}; y may alias x. */
  public static void forward(int batch, int steps, int d, int positions, float[] x, int xOff, float[] table, int tableOff, float[] y, int yOff) {
    check(steps, positions);
    long n = (long) batch * steps * d;
    Checks.range("x", x, xOff, n);
    Checks.range("y", y, yOff, n);
    Checks.range("table", table, tableOff, (long) positions * d);
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < steps; t++) {
        int row = (b * steps + t) * d;
        int p = tableOff + t * d;
        for (int j = 0; j < d; j++) {
          y[yOff + row + j] = x[xOff + row + j] + table[p + j];
        }
      }
    }
  }

  /**
   * {@code dP[t] += Σ_b dy[b, t]} (summed in batch order, so every thread count gives the same
   * bits) and, when {@code dx} is not null, {@code dx (+)= dy}.
   */
  public static void backward(int batch, int steps, int d, int positions, float[] dy, int dyOff, float[] dTable, int dTableOff,
      float[] dx, int dxOff, boolean accumulate) {
    check(steps, positions);
    long n = (long) batch * steps * d;
    Checks.range("dy", dy, dyOff, n);
    Checks.range("dTable", dTable, dTableOff, (long) positions * d);
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < steps; t++) {
        int row = dyOff + (b * steps + t) * d;
        int p = dTableOff + t * d;
        for (int j = 0; j < d; j++) {
          dTable[p + j] += dy[row + j];
        }
      }
    }
    if (dx != null) {
      Combine.passBack((int) n, dy, dyOff, dx, dxOff, accumulate);
    }
  }

  private static void check(int steps, int positions) {
    if (steps > positions) {
      throw new IllegalArgumentException("sequence of " + steps + " steps but the position table holds " + positions + " positions");
    }
  }
}
