package io.kiln.runtime.attention;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.runtime.simd.AttentionPrimitives;
import io.kiln.runtime.simd.ScalarAttentionPrimitives;
import io.kiln.runtime.simd.Vectorization;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The chosen (Vector API when present) {@link AttentionPrimitives} give the scalar twin's bits for
 * every element, for lengths around the vector width (tails included); only expShifted's sum may
 * round differently.
 */
class AttentionPrimitivesTest {
  private final AttentionPrimitives fast = Vectorization.provider().attention();
  private final AttentionPrimitives scalar = Vectorization.scalar().attention();

  @Test
  void everyElementIsTheScalarTwinsBits() {
    Random r = new Random(1);
    float[] a = gaussians(r, 200);
    float[] b = gaussians(r, 64 * 70 + 200);
    for (int n = 0; n <= 70; n++) {
      for (int d : new int[] {1, 3, 8, 16, 31, 32, 33, 64}) {
        float[] o1 = gaussians(r, n + 5);
        float[] o2 = o1.clone();
        fast.rowTimesBlockPair(o1, 2, 0, a, 3, 0, 0.37f, b, 5, 64, n, d);
        ScalarAttentionPrimitives.rowTimesBlockRange(o2, 2, a, 3, 0.37f, b, 5, 64, 0, n, d);
        assertThat(Arrays.equals(o1, o2)).isTrue();
        float[] acc1 = gaussians(r, d + 4);
        float[] acc2 = acc1.clone();
        fast.accumulateRows(a, 1, n, b, 7, d + 2, acc1, 3, d);
        scalar.accumulateRows(a, 1, n, b, 7, d + 2, acc2, 3, d);
        assertThat(Arrays.equals(acc1, acc2)).isTrue();
      }
      float[] e1 = gaussians(r, n + 2);
      float[] e2 = e1.clone();
      float s1 = fast.expShifted(e1, 1, n, n, 0.5f);
      float s2 = scalar.expShifted(e2, 1, n, n, 0.5f);
      assertThat(Arrays.equals(e1, e2)).isTrue();
      assertThat((double) s1).isWithin(1e-6 * Math.max(1, s2)).of(s2);
    }
  }

  /** The two-row primitives give each row the bits of the single-row one (scalar twin), also when the rows' counts differ. */
  @Test
  void pairsAreTwoSingleRowsBitForBit() {
    Random r = new Random(3);
    float[] a = gaussians(r, 300);
    float[] b = gaussians(r, 72 * 70 + 200);
    for (int n = 0; n <= 70; n++) {
      for (int d : new int[] {1, 3, 8, 16, 31, 32, 33, 64}) {
        float[] o1 = gaussians(r, 2 * 75 + 5);
        float[] o2 = o1.clone();
        fast.rowTimesBlockPair(o1, 2, 75, a, 3, d + 5, 0.37f, b, 5, 64, n, d);
        ScalarAttentionPrimitives.rowTimesBlockRange(o2, 2, a, 3, 0.37f, b, 5, 64, 0, n, d);
        ScalarAttentionPrimitives.rowTimesBlockRange(o2, 77, a, d + 8, 0.37f, b, 5, 64, 0, n, d);
        assertThat(Arrays.equals(o1, o2)).isTrue();
        for (int n2 : new int[] {Math.max(0, n - 1), n, n + 1, 0}) {
          float[] acc1 = gaussians(r, 2 * d + 9);
          float[] acc2 = acc1.clone();
          fast.accumulateRowsPair(a, 1, 80, n, n2, b, 7, d + 2, acc1, 3, d + 2, d);
          scalar.accumulateRows(a, 1, n, b, 7, d + 2, acc2, 3, d);
          scalar.accumulateRows(a, 81, n2, b, 7, d + 2, acc2, d + 5, d);
          assertThat(Arrays.equals(acc1, acc2)).isTrue();
        }
      }
    }
  }

  /** A row of n scores padded to {@code width}: the first n are the scalar twin's, the padding stays out of the sum. */
  @Test
  void expShiftedOverPaddingSumsOnlyTheFirstN() {
    Random r = new Random(2);
    for (int width = 1; width <= 70; width++) {
      for (int n = 0; n <= width; n++) {
        float[] e1 = gaussians(r, width + 2);
        Arrays.fill(e1, 1 + n, 1 + width, 40f); // e^39.5 each: any leak into the sum shows
        float[] e2 = e1.clone();
        float s1 = fast.expShifted(e1, 1, n, width, 0.5f);
        float s2 = scalar.expShifted(e2, 1, n, n, 0.5f);
        assertThat(Arrays.equals(e1, 0, 1 + n, e2, 0, 1 + n)).isTrue();
        assertThat(e1[width + 1]).isEqualTo(e2[width + 1]);
        assertThat((double) s1).isWithin(1e-6 * Math.max(1, s2)).of(s2);
      }
    }
  }

  private static float[] gaussians(Random r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }
}
