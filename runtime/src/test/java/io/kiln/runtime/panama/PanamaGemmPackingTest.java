package io.kiln.runtime.panama;

import static com.google.common.truth.Truth.assertWithMessage;
import static io.kiln.runtime.panama.PanamaGemm.MR;
import static io.kiln.runtime.panama.PanamaGemm.NR;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The packing routines (vector transposes and copies) against the panel layouts by definition. */
class PanamaGemmPackingTest {

  private static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  private static void assertSameBits(float[] expected, float[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        assertWithMessage("%s element %s", what, i).that(actual[i]).isEqualTo(expected[i]);
      }
    }
  }

  @ParameterizedTest(name = "rows={0} kc={1}")
  @CsvSource({"1,1", "3,7", "8,16", "8,17", "13,33", "16,48", "17,1023", "24,256", "7,15"})
  void packAIsTheMicroPanelLayout(int rows, int kc) {
    int ld = kc + 5; // a source wider than the block
    int s = 3;
    float[] src = random(s + rows * ld, rows * 31L + kc);
    int panels = (rows + MR - 1) / MR;
    float[] expected = new float[panels * MR * kc];
    for (int i = 0; i < panels * MR; i++) {
      for (int p = 0; p < kc; p++) {
        expected[i / MR * MR * kc + p * MR + i % MR] = i < rows ? src[s + i * ld + p] : 0f;
      }
    }
    float[] actual = new float[expected.length];
    java.util.Arrays.fill(actual, Float.NaN);
    PanamaGemmPacking.packA(src, s, ld, rows, kc, actual);
    assertSameBits(expected, actual, "packA");

    // TN: op(A)[i][p] = src[s + p·ld + i]
    int ldt = rows + 4;
    float[] srcT = random(s + kc * ldt, rows * 17L + kc);
    for (int i = 0; i < panels * MR; i++) {
      for (int p = 0; p < kc; p++) {
        expected[i / MR * MR * kc + p * MR + i % MR] = i < rows ? srcT[s + p * ldt + i] : 0f;
      }
    }
    java.util.Arrays.fill(actual, Float.NaN);
    PanamaGemmPacking.packATransposed(srcT, s, ldt, rows, kc, actual);
    assertSameBits(expected, actual, "packATransposed");
  }

  @ParameterizedTest(name = "cols={0} kc={1}")
  @CsvSource({"1,1", "3,7", "8,16", "9,17", "13,33", "31,48", "32,1023", "32,256", "17,15", "24,64", "16,16",
      "32,17", "20,40", "32,15"})
  void packBIsThePanelLayout(int width, int kc) {
    int cols = Math.min(width, NR); // NR is 16 on 256-bit vectors
    int d = 7; // panels start anywhere in the buffer
    float[] expected = new float[d + kc * NR];
    float[] actual = new float[expected.length];

    // NN / TN: op(B)[p][j] = src[s + p·ld + j]
    int ld = cols + 3;
    int s = 2;
    float[] src = random(s + kc * ld, cols * 13L + kc);
    for (int p = 0; p < kc; p++) {
      for (int j = 0; j < NR; j++) {
        expected[d + p * NR + j] = j < cols ? src[s + p * ld + j] : 0f;
      }
    }
    java.util.Arrays.fill(actual, Float.NaN);
    actual[0] = expected[0] = 0f;
    for (int i = 1; i < d; i++) {
      actual[i] = expected[i] = i;
    }
    PanamaGemmPacking.packB(src, s, ld, kc, cols, actual, d);
    assertSameBits(expected, actual, "packB");

    // NT: op(B)[p][j] = src[s + j·ld + p]
    int ldt = kc + 2;
    float[] srcT = random(s + cols * ldt, cols * 7L + kc);
    for (int p = 0; p < kc; p++) {
      for (int j = 0; j < NR; j++) {
        expected[d + p * NR + j] = j < cols ? srcT[s + j * ldt + p] : 0f;
      }
    }
    java.util.Arrays.fill(actual, d, actual.length, Float.NaN);
    PanamaGemmPacking.packBTransposed(srcT, s, ldt, kc, cols, actual, d);
    // the masked stores must not touch anything before the panel
    assertSameBits(expected, actual, "packBTransposed");
  }
}
