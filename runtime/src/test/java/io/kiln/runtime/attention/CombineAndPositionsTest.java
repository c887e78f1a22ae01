package io.kiln.runtime.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The joins and position embeddings against element-by-element definitions, at offsets and awkward sizes. */
class CombineAndPositionsTest {
  private static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextFloat() * 2 - 1;
    }
    return a;
  }

  @ParameterizedTest
  @CsvSource({"1, 1, 1", "3, 7, 13", "33, 5, 2"})
  void concatenationAndItsGradient(int rows, int wa, int wb) {
    Random r = new Random(rows * 31 + wa);
    float[] a = random(r, rows * wa + 3);
    float[] b = random(r, rows * wb);
    int total = wa + wb;
    float[] y = new float[rows * total + 2];
    Combine.concatInto(rows, wa, total, 0, a, 3, y, 2);
    Combine.concatInto(rows, wb, total, wa, b, 0, y, 2);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < total; j++) {
        float expected = j < wa ? a[3 + i * wa + j] : b[i * wb + j - wa];
        assertTrue(y[2 + i * total + j] == expected, "y[" + i + ", " + j + "]");
      }
    }
    float[] da = random(r, rows * wa);
    float[] before = da.clone();
    Combine.concatBackward(rows, wa, total, 0, y, 2, da, 0, true);
    for (int i = 0; i < rows * wa; i++) {
      assertTrue(da[i] == before[i] + a[3 + i], "accumulated da[" + i + "]");
    }
    float[] db = new float[rows * wb];
    Combine.concatBackward(rows, wb, total, wa, y, 2, db, 0, false);
    assertArrayEquals(java.util.Arrays.copyOf(b, rows * wb), db);
  }

  @ParameterizedTest
  @CsvSource({"1", "7", "1023"})
  void sumsAndTheirGradient(int n) {
    Random r = new Random(n);
    float[] a = random(r, n);
    float[] b = random(r, n);
    float[] c = random(r, n);
    float[] y = new float[n];
    Combine.add(n, a, 0, b, 0, y, 0);
    Combine.addInto(n, c, 0, y, 0);
    float[] dx = random(r, n);
    float[] dxBefore = dx.clone();
    Combine.passBack(n, y, 0, dx, 0, true);
    for (int i = 0; i < n; i++) {
      assertTrue(y[i] == (a[i] + b[i]) + c[i], "y[" + i + "]");
      assertTrue(dx[i] == dxBefore[i] + y[i], "dx[" + i + "]");
    }
  }

  @ParameterizedTest
  @CsvSource({"1, 1, 1, 1", "2, 3, 5, 4", "3, 7, 13, 7"})
  void positionsAddPerStepAndSumPerPosition(int batch, int steps, int d, int positions) {
    Random r = new Random(batch * 7 + steps);
    float[] x = random(r, batch * steps * d);
    float[] table = random(r, positions * d + 1);
    float[] y = new float[x.length];
    Positions.forward(batch, steps, d, positions, x, 0, table, 1, y, 0);
    float[] dTable = new float[positions * d];
    float[] dx = new float[x.length];
    Positions.backward(batch, steps, d, positions, x, 0, dTable, 0, dx, 0, false);
    for (int t = 0; t < steps; t++) {
      for (int j = 0; j < d; j++) {
        float sum = 0;
        for (int b = 0; b < batch; b++) {
          int i = (b * steps + t) * d + j;
          assertTrue(y[i] == x[i] + table[1 + t * d + j], "y");
          sum += x[i];
        }
        assertTrue(dTable[t * d + j] == sum, "dTable[" + t + ", " + j + "]");
      }
    }
    assertArrayEquals(x, dx);
  }

  @org.junit.jupiter.api.Test
  void aSequenceLongerThanTheTableIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Positions.forward(1, 5, 2, 4, new float[10], 0, new float[8], 0, new float[10], 0));
    assertTrue(e.getMessage().contains("sequence of 5 steps but the position table holds 4 positions"), e.getMessage());
  }
}
