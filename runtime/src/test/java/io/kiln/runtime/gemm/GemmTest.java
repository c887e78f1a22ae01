package io.kiln.runtime.gemm;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.dsl.Activation;
import io.kiln.runtime.Parallelism;
import io.kiln.runtime.simd.Vectorization;
import io.kiln.runtime.testing.Allocations;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fast GEMM against its scalar twin, across layouts, epilogues, shapes, strides and thread counts. */
class GemmTest {
  private static final GemmKernel FAST = Vectorization.provider().gemm();
  private static final GemmKernel ORACLE = Vectorization.scalar().gemm();
  private static final int THREADS = Parallelism.threads();

  @AfterEach
  void restoreThreads() {
    Parallelism.setThreads(THREADS);
  }

  /** m, n, k: edges (1, 7, 17, 33, 1023), several K blocks, several M blocks, more than one N block. */
  static final int[][] SHAPES = {
      {1, 1, 1}, {1, 7, 17}, {7, 1, 33}, {17, 33, 1}, {33, 17, 7}, {1, 1023, 3}, {1023, 1, 5},
      {2, 9, 1023}, {1023, 17, 7}, {9, 1023, 17}, {33, 33, 33}, {8, 32, 256}, {16, 64, 257},
      {65, 70, 300}, {150, 40, 520}, {300, 97, 33}, {20, 2100, 9}, {3, 5, 0},
      // NT dot path (long k, a small side): ragged blocks and k tails
      // NT with 32 or 64 rows (Cᵀ = B·Aᵀ): ragged columns, several K blocks
      {32, 9, 300}, {64, 33, 520}, {32, 15, 256},
      {6, 25, 784}, {64, 1, 1000}, {1, 3, 1031}, {7, 13, 384}, {8, 70, 401}, {70, 33, 1023}, {40, 32, 500},
      // one row of A (predict of one sample): the dot path from k = L on, also below the direct path's size
      {1, 84, 120}, {1, 10, 84}, {1, 5, 16}, {1, 130, 47}, {1, 9, 15},
  };

  static Stream<Arguments> layoutsAndShapes() {
    List<Arguments> out = new ArrayList<>();
    for (Layout layout : Layout.values()) {
      for (int[] s : SHAPES) {
        out.add(Arguments.of(layout, s[0], s[1], s[2]));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3}")
  @MethodSource("layoutsAndShapes")
  void matchesScalarTwinForEveryEpilogue(Layout layout, int m, int n, int k) {
    SplittableRandom rnd = new SplittableRandom(31L * m + 7L * n + k + layout.ordinal());
    float[] rowBias = random(rnd, m + 3);
    float[] colBias = random(rnd, n + 5);
    List<Epilogue> epilogues = List.of(
        Epilogue.NONE,
        Epilogue.ACCUMULATE,
        Epilogue.of(false, Epilogue.Bias.PER_ROW, rowBias, 3, Activation.RELU),
        Epilogue.of(true, Epilogue.Bias.PER_COLUMN, colBias, 5, Activation.SIGMOID),
        Epilogue.biasActivation(colBias, 2, Activation.TANH),
        Epilogue.of(false, Epilogue.Bias.PER_ROW, rowBias, 0, Activation.STEP),
        Epilogue.of(true, Epilogue.Bias.NONE, null, 0, Activation.RELU),
        Epilogue.of(false, Epilogue.Bias.PER_ROW, rowBias, 1, Activation.NONE), // fused into the kernel's store
        Epilogue.of(true, Epilogue.Bias.PER_ROW, rowBias, 2, Activation.NONE),
        Epilogue.of(false, Epilogue.Bias.PER_COLUMN, colBias, 1, Activation.NONE), // fused likewise
        Epilogue.of(true, Epilogue.Bias.PER_COLUMN, colBias, 4, Activation.RELU));
    for (Epilogue ep : epilogues) {
      check(layout, m, n, k, ep, rnd, /* padded */ false);
      check(layout, m, n, k, ep, rnd, /* padded */ true);
    }
  }

  /**
   * A dense layer's bias (and ReLU) is added in the micro-kernel's store for full tiles: bitwise
   * what the plain product followed by {@code + bias} then {@code max(·, 0)} gives, stored or
   * accumulated, over several K blocks and ragged edge tiles.
   */
  @Test
  void aColumnBiasFusedIntoTheStoreGivesTheUnfusedBits() {
    SplittableRandom rnd = new SplittableRandom(5);
    for (int[] shape : new int[][] {{64, 96, 128}, {40, 70, 600}, {8, 32, 17}}) {
      int m = shape[0];
      int n = shape[1];
      int k = shape[2];
      float[] a = random(rnd, m * k);
      float[] b = random(rnd, n * k);
      float[] bias = random(rnd, n + 2);
      for (boolean accumulate : new boolean[] {false, true}) {
        for (Activation f : new Activation[] {Activation.NONE, Activation.RELU}) {
          float[] c0 = random(rnd, m * n);
          float[] fused = c0.clone();
          FAST.gemm(Layout.NT, m, n, k, a, 0, b, 0, fused, 0, Epilogue.of(accumulate, Epilogue.Bias.PER_COLUMN, bias, 2, f));
          float[] plain = c0.clone();
          FAST.gemm(Layout.NT, m, n, k, a, 0, b, 0, plain, 0, accumulate ? Epilogue.ACCUMULATE : Epilogue.NONE);
          for (int i = 0; i < plain.length; i++) {
            float v = plain[i] + bias[2 + i % n];
            plain[i] = f == Activation.RELU ? Math.max(v, 0f) : v;
          }
          assertWithMessage("m=%s n=%s k=%s accumulate=%s %s", m, n, k, accumulate, f).that(fused).isEqualTo(plain);
        }
      }
    }
  }

  private static void check(Layout layout, int m, int n, int k, Epilogue ep, SplittableRandom rnd, boolean padded) {
    int pad = padded ? 3 : 0;
    int aRows = layout == Layout.TN ? k : m;
    int aCols = layout == Layout.TN ? m : k;
    int bRows = layout == Layout.NT ? n : k;
    int bCols = layout == Layout.NT ? k : n;
    int lda = aCols + pad, ldb = bCols + 2 * pad, ldc = n + pad;
    int aOff = pad * 5, bOff = pad, cOff = pad * 7;
    float[] a = random(rnd, aOff + Math.max(0, aRows - 1) * lda + aCols + pad);
    float[] b = random(rnd, bOff + Math.max(0, bRows - 1) * ldb + bCols + pad);
    float[] c0 = random(rnd, cOff + (m - 1) * ldc + n + pad);
    float[] expected = c0.clone();
    float[] actual = c0.clone();
    ORACLE.gemm(layout, m, n, k, a, aOff, b, bOff, expected, cOff, ep, new LeadingDimensions(lda, ldb, ldc));
    FAST.gemm(layout, m, n, k, a, aOff, b, bOff, actual, cOff, ep, new LeadingDimensions(lda, ldb, ldc));
    // pre-activation reference, to skip STEP elements within rounding of the threshold
    float[] z = c0.clone();
    ORACLE.gemm(layout, m, n, k, a, aOff, b, bOff, z, cOff, Epilogue.of(ep.accumulate(), ep.bias(), ep.biasData(), ep.biasOffset(), Activation.NONE), new LeadingDimensions(lda, ldb, ldc));
    double tol = 1e-5 * Math.sqrt(Math.max(1, k)) * Math.max(1, Math.sqrt(k / 3.0));
    String what = layout + " m=" + m + " n=" + n + " k=" + k + " padded=" + padded + " acc=" + ep.accumulate()
        + " bias=" + ep.bias() + " act=" + ep.activation();
    for (int i = 0; i < expected.length; i++) {
      int rel = i - cOff;
      boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
      if (!inside) {
        assertWithMessage("%s: element %s outside C was written", what, i).that(actual[i]).isEqualTo(c0[i]);
        continue;
      }
      if (ep.activation() == Activation.STEP && Math.abs(z[i]) <= tol) {
        continue;
      }
      if (Math.abs(actual[i] - expected[i]) > tol) {
        assertWithMessage("%s: C[%s][%s]", what, rel / ldc, rel % ldc).that(actual[i]).isWithin((float) tol).of(expected[i]);
      }
    }
  }

  /** The per-row bias fused into the micro-kernel's store gives the bits of product-then-bias. */
  @ParameterizedTest(name = "m={0} n={1} k={2} accumulate={3}")
  @org.junit.jupiter.params.provider.CsvSource({"32, 3844, 27, false", "64, 841, 288, false", "17, 70, 600, true", "8, 32, 5, false"})
  void rowBiasInTheStoreIsBitwiseProductThenBias(int m, int n, int k, boolean accumulate) {
    SplittableRandom rnd = new SplittableRandom(m * 7L + n);
    float[] a = random(rnd, m * k);
    float[] b = random(rnd, k * n);
    float[] bias = random(rnd, m + 2);
    float[] c0 = random(rnd, m * n);
    float[] fused = c0.clone();
    FAST.gemm(Layout.NN, m, n, k, a, 0, b, 0, fused, 0, Epilogue.of(accumulate, Epilogue.Bias.PER_ROW, bias, 2, Activation.NONE));
    float[] twoPass = c0.clone();
    FAST.gemm(Layout.NN, m, n, k, a, 0, b, 0, twoPass, 0, accumulate ? Epilogue.ACCUMULATE : Epilogue.NONE);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        twoPass[i * n + j] += bias[2 + i];
      }
    }
    for (int i = 0; i < fused.length; i++) {
      if (Float.floatToRawIntBits(fused[i]) != Float.floatToRawIntBits(twoPass[i])) {
        assertWithMessage("element %s", i).that(fused[i]).isEqualTo(twoPass[i]);
      }
    }
  }

  static Stream<Arguments> bigShapes() {
    return Stream.of(
        Arguments.of(Layout.NN, 300, 500, 700),
        Arguments.of(Layout.NT, 257, 300, 530),
        Arguments.of(Layout.NT, 64, 288, 841),
        Arguments.of(Layout.TN, 190, 2200, 40),
        Arguments.of(Layout.NN, 32, 1024, 256),
        Arguments.of(Layout.NT, 64, 1000, 300),
        Arguments.of(Layout.NN, 4001, 40, 300));
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3}")
  @MethodSource("bigShapes")
  void bitwiseIdenticalWhateverTheThreadCount(Layout layout, int m, int n, int k) {
    SplittableRandom rnd = new SplittableRandom(42);
    int lda = layout == Layout.TN ? m : k;
    int ldb = layout == Layout.NT ? k : n;
    float[] a = random(rnd, m * k);
    float[] b = random(rnd, n * k);
    float[] c0 = random(rnd, m * n);
    // a column bias with tanh (the epilogue pass), and a row bias alone (fused into the kernel's stores)
    Epilogue[] epilogues = {
      Epilogue.of(true, Epilogue.Bias.PER_COLUMN, random(rnd, n), 0, Activation.TANH),
      Epilogue.of(false, Epilogue.Bias.PER_ROW, random(rnd, m), 0, Activation.NONE),
    };
    for (Epilogue ep : epilogues) {
      float[] reference = null;
      for (int threads : new int[] {1, 2, 3, 1}) {
        Parallelism.setThreads(threads);
        float[] c = c0.clone();
        FAST.gemm(layout, m, n, k, a, 0, b, 0, c, 0, ep, new LeadingDimensions(lda, ldb, 0));
        if (reference == null) {
          reference = c;
        } else {
          for (int i = 0; i < c.length; i++) {
            if (Float.floatToRawIntBits(c[i]) != Float.floatToRawIntBits(reference[i])) {
              assertWithMessage("%s threads=%s element %s", ep.bias(), threads, i).that(c[i]).isEqualTo(reference[i]);
            }
          }
        }
      }
    }
  }

  /**
   * NT with 32 or 64 rows computes Cᵀ = B·Aᵀ (its own kernel); each element must still get the
   * blocked path's bits, which NN with the transposed B takes.
   */
  @ParameterizedTest(name = "m={0} n={1} k={2}")
  @org.junit.jupiter.params.provider.CsvSource({"32, 1024, 256", "64, 37, 300", "32, 9, 257", "64, 100, 600"})
  void skinnyNtGivesTheBlockedPathsBits(int m, int n, int k) {
    SplittableRandom rnd = new SplittableRandom(m * 13L + n + k);
    float[] a = random(rnd, m * k);
    float[] bt = random(rnd, n * k); // B stored n × k (NT)
    float[] b = new float[k * n]; // the same B stored k × n (NN)
    for (int j = 0; j < n; j++) {
      for (int p = 0; p < k; p++) {
        b[p * n + j] = bt[j * k + p];
      }
    }
    float[] c0 = random(rnd, m * n);
    for (Epilogue ep : List.of(Epilogue.ACCUMULATE,
        Epilogue.of(false, Epilogue.Bias.PER_COLUMN, random(rnd, n), 0, Activation.SIGMOID),
        Epilogue.of(true, Epilogue.Bias.PER_ROW, random(rnd, m), 0, Activation.NONE))) {
      float[] nt = c0.clone();
      FAST.gemm(Layout.NT, m, n, k, a, 0, bt, 0, nt, 0, ep);
      float[] nn = c0.clone();
      FAST.gemm(Layout.NN, m, n, k, a, 0, b, 0, nn, 0, ep);
      for (int i = 0; i < nt.length; i++) {
        if (Float.floatToRawIntBits(nt[i]) != Float.floatToRawIntBits(nn[i])) {
          assertWithMessage("%s element %s", ep, i).that(nt[i]).isEqualTo(nn[i]);
        }
      }
    }
  }

  @Test
  void theVectorApiGemmIsChosenWhenTheModuleIsPresent() {
    assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()).isTrue();
    assertThat(Vectorization.provider().name()).startsWith("panama-");
    assertThat(FAST.getClass().getName()).isEqualTo("io.kiln.runtime.panama.PanamaGemm");
  }

  @Test
  void theScalarTwinMultiplies() {
    float[] a = {1, 2, 3, 4};
    float[] b = {5, 6, 7, 8};
    float[] c = new float[4];
    ORACLE.gemm(Layout.NN, 2, 2, 2, a, 0, b, 0, c, 0, Epilogue.NONE);
    assertThat(c).usingExactEquality().containsExactly(19f, 22f, 43f, 50f).inOrder();
  }

  @Test
  @Tag("allocation") // also run with stingy inlining: see the pom
  void noAllocationPerCallAfterWarmUp() {
    SplittableRandom rnd = new SplittableRandom(1);
    int m = 200, n = 300, k = 300;
    float[] a = random(rnd, m * k);
    float[] b = random(rnd, k * n);
    float[] c = new float[m * n];
    Epilogue ep = Epilogue.biasActivation(random(rnd, n), 0, Activation.RELU);
    Parallelism.setThreads(2);
    // Slack under 1 KiB a window: with two threads and all paths alternating, 320 bytes per window
    // of 10 rounds were seen (too little for JFR's TLAB sampling to place). A vector boxed in a
    // kernel costs 80+ bytes per vector operation per call, thousands of times this.
    Allocations.assertAtMost(1023, "every GEMM path", () -> {
      for (Layout layout : Layout.values()) {
        FAST.gemm(layout, m, n, k, a, 0, b, 0, c, 0, ep);
      }
      FAST.gemm(Layout.NN, 4, 5, 6, a, 0, b, 0, c, 0, ep); // direct path
      FAST.gemm(Layout.NT, 32, n, k, a, 0, b, 0, c, 0, ep); // Cᵀ = B·Aᵀ path
    }, 10, 60);
  }

  @Test
  @Tag("allocation") // also run with stingy inlining: see the pom
  void noAllocationPerCallOnTheOneRowAndDotPaths() {
    SplittableRandom rnd = new SplittableRandom(2);
    int n = 300, k = 300;
    float[] a = random(rnd, 3 * 400);
    float[] b = random(rnd, n * k);
    float[] c = new float[n];
    Epilogue ep = Epilogue.biasActivation(random(rnd, n), 0, Activation.RELU);
    Allocations.assertNone("the one-row and dot paths", () -> {
      FAST.gemm(Layout.NT, 1, n, k, a, 0, b, 0, c, 0, ep); // one row: predict of one sample
      FAST.gemm(Layout.NT, 1, 84, 120, a, 0, b, 0, c, 0, ep); // one row, below the direct path's size
      FAST.gemm(Layout.NT, 3, 40, 400, a, 0, b, 0, c, 0, ep); // a few rows, a long k: the dot path
    }, 10, 60);
  }

  @Test
  void packedLeadingDimensionsFollowTheLayout() {
    LeadingDimensions packed = LeadingDimensions.PACKED;
    assertThat(List.of(packed.lda(Layout.NN, 3, 5), packed.lda(Layout.TN, 3, 5), packed.ldb(Layout.NN, 4, 5),
        packed.ldb(Layout.NT, 4, 5), packed.ldc(4))).containsExactly(5, 3, 4, 5, 4).inOrder();
    LeadingDimensions strided = new LeadingDimensions(9, 0, 7);
    assertThat(List.of(strided.lda(Layout.NN, 3, 5), strided.ldb(Layout.NN, 4, 5), strided.ldc(4)))
        .containsExactly(9, 4, 7).inOrder();
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> new LeadingDimensions(-1, 0, 0));
    assertThat(negative).hasMessageThat().isEqualTo("leading dimensions must be positive (or 0 for packed), got a=-1 b=0 c=0");
  }

  @Test
  void rejectsBadArguments() {
    for (GemmKernel kernel : List.of(FAST, ORACLE)) { // the fallback fails with the same messages
      float[] x = new float[10];
      IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
          () -> kernel.gemm(Layout.NN, -1, 2, 2, x, 0, x, 0, x, 0, Epilogue.NONE));
      assertThat(negative).hasMessageThat().isEqualTo("negative GEMM size m=-1 n=2 k=2");
      assertThrows(IllegalArgumentException.class,
          () -> kernel.gemm(Layout.NN, 2, 2, 3, x, 0, x, 0, x, 0, Epilogue.NONE, new LeadingDimensions(2, 0, 0)));
      IndexOutOfBoundsException bounds = assertThrows(IndexOutOfBoundsException.class,
          () -> kernel.gemm(Layout.NN, 4, 4, 4, x, 0, x, 0, x, 0, Epilogue.NONE));
      assertThat(bounds).hasMessageThat().startsWith("A: 4×4 at offset 0 with ld 4 needs 16 elements");
    }
  }

  private static float[] random(SplittableRandom rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return x;
  }
}
