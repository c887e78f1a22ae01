package io.kiln.runtime.panama;

import static com.google.common.truth.Truth.assertWithMessage;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which NT shapes take the Cᵀ = B·Aᵀ path (GemmTest checks its results on the true ones). */
class PanamaGemmTransposedTest {

  @ParameterizedTest(name = "m={0} n={1} k={2} → {3}")
  @CsvSource({
    // the shapes GemmTest compares with the scalar twin and with the blocked path's bits
    "32, 1024, 256, true", "64, 37, 300, true", "32, 9, 257, true", "64, 100, 600, true",
    "32, 9, 300, true", "64, 33, 520, true", "32, 15, 256, true",
    // slower there than the blocked path: half-empty panels, short k, more rows
    "48, 1024, 256, false", "16, 1024, 256, false", "32, 1024, 128, false", "128, 1024, 256, false",
    "32, 7, 512, false",
  })
  void appliesToBatchesOf32Or64WithALongK(int m, int n, int k, boolean expected) {
    boolean applies = PanamaGemmTransposed.applies(m, n, k);
    if (PanamaGemm.NR == 32) { // 512-bit vectors: the rows above are for this width
      assertWithMessage("applies(%s, %s, %s)", m, n, k).that(applies).isEqualTo(expected);
    } else {
      // narrower vectors change which m fit the panels, never the limits on k and n
      boolean never = k < PanamaGemmTransposed.MIN_K || n < PanamaGemm.MR;
      assertWithMessage("applies(%s, %s, %s) with NR = %s", m, n, k, PanamaGemm.NR).that(applies && never).isFalse();
    }
  }
}
