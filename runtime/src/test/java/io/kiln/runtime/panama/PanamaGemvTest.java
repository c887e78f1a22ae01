package io.kiln.runtime.panama;

import static com.google.common.truth.Truth.assertWithMessage;

import io.kiln.dsl.Activation;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.gemm.LeadingDimensions;
import io.kiln.runtime.simd.Vectorization;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one-row products called directly, whichever path this machine's vector width would take:
 * {@link PanamaGemv} (16 lanes) and the dot path's single-row block ({@code dot1x4}, taken on
 * narrower vectors), against the scalar twin, on ragged n (partial blocks of 16 rows) and k (a
 * ragged rest after the whole vectors), with accumulation and an epilogue; and the same bits on a
 * second call.
 */
class PanamaGemvTest {
  private static final int L = PanamaGemm.S.length();

  @ParameterizedTest(name = "n={0} k={1}")
  @CsvSource({"1, 16", "15, 17", "16, 31", "17, 16", "33, 47", "130, 120", "84, 120", "120, 400", "10, 84", "7, 1031"})
  void matchesTheScalarTwin(int n, int k) {
    SplittableRandom rnd = new SplittableRandom(31L * n + k);
    float[] a = random(rnd, k + 2);
    float[] b = random(rnd, n * (k + 3) + 1);
    float[] bias = random(rnd, n + 1);
    for (Epilogue ep : new Epilogue[] {Epilogue.NONE, Epilogue.ACCUMULATE,
        Epilogue.of(true, Epilogue.Bias.PER_COLUMN, bias, 1, Activation.RELU)}) {
      float[] start = random(rnd, n + 2);
      float[] expected = start.clone();
      Vectorization.scalar().gemm().gemm(Layout.NT, 1, n, k, a, 2, b, 1, expected, 1, ep,
          new LeadingDimensions(k, k + 3, n));
      float[] scratch = new float[PanamaGemm.DOT * PanamaGemm.DOT * L];
      if (PanamaGemv.applies(1, k)) {
        float[] gemv = start.clone();
        PanamaGemv.nt(n, k, a, 2, b, 1, k + 3, gemv, 1, ep, scratch);
        assertClose("gemv " + ep, gemv, expected, k);
        float[] again = start.clone();
        PanamaGemv.nt(n, k, a, 2, b, 1, k + 3, again, 1, ep, scratch);
        assertWithMessage("gemv, second call").that(again).isEqualTo(gemv);
      }
      float[] dot = start.clone();
      PanamaGemm.dotNT(1, n, k, a, 2, k, b, 1, k + 3, dot, 1, n, ep, scratch);
      assertClose("dot path " + ep, dot, expected, k);
    }
  }

  private static void assertClose(String what, float[] actual, float[] expected, int k) {
    assertWithMessage("%s: the guards outside the row", what).that(actual[0]).isEqualTo(expected[0]);
    assertWithMessage("%s: the guards outside the row", what).that(actual[actual.length - 1]).isEqualTo(expected[expected.length - 1]);
    for (int j = 0; j < actual.length; j++) {
      float tolerance = 1e-5f * k;
      assertWithMessage("%s: element %s of %s", what, j, Arrays.toString(actual))
          .that(Math.abs(actual[j] - expected[j])).isAtMost(tolerance);
    }
  }

  private static float[] random(SplittableRandom rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextDouble(-1, 1);
    }
    return v;
  }
}
