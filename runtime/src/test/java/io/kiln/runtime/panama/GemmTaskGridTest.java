package io.kiln.runtime.panama;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import io.kiln.runtime.gemm.GemmBlocking;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GemmTaskGridTest {

  @ParameterizedTest(name = "m={0} n={1} k={2}")
  @CsvSource({"1024,1024,1024", "7,3,5", "32,1024,256", "53824,64,288", "1,4096,512", "300,500,700"})
  void oneThreadIsOneTask(int m, int n, int k) {
    long grid = GemmTaskGrid.choose(m, n, k, 1);
    assertThat(GemmTaskGrid.rows(grid)).isEqualTo(1);
    assertThat(GemmTaskGrid.cols(grid)).isEqualTo(1);
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} threads={3} → {4}×{5}")
  @CsvSource({
    // a square product splits in two; N first (each half of packed B fits a core's L2)
    "1024,1024,1024,2,1,2",
    // a skinny batch of rows (an LSTM step) splits its columns: repacking 32 rows of A is cheap
    "32,1024,256,2,1,2",
    // a tall im2col product with one panel of columns splits its rows
    "200704,6,25,2,2,1",
    "53824,64,288,2,2,1",
    // too little work to be worth waking a second thread; twice as much is
    "64,64,64,2,1,1",
    "128,128,128,2,1,2",
  })
  void theGridSplitsTheSideThatCostsLessRepacking(int m, int n, int k, int threads, int rows, int cols) {
    long grid = GemmTaskGrid.choose(m, n, k, threads);
    assertThat(GemmTaskGrid.rows(grid)).isEqualTo(rows);
    assertThat(GemmTaskGrid.cols(grid)).isEqualTo(cols);
  }

  @ParameterizedTest(name = "m={0} n={1} k={2}")
  @CsvSource({"1,1,1", "9,33,7", "1023,65,300", "32,1024,256", "200704,6,25", "100,5000,64"})
  void everyGridIsUsableByEveryThreadCount(int m, int n, int k) {
    for (int threads = 1; threads <= 8; threads++) {
      long grid = GemmTaskGrid.choose(m, n, k, threads);
      int rows = GemmTaskGrid.rows(grid);
      int cols = GemmTaskGrid.cols(grid);
      assertWithMessage("threads=%s", threads).that(rows).isAtLeast(1);
      assertWithMessage("threads=%s", threads).that(cols).isAtLeast(1);
      // no empty rectangles: each row and column of tasks owns at least one micro-tile
      assertWithMessage("threads=%s rows", threads).that(rows).isAtMost(GemmBlocking.ceilDiv(m, PanamaGemm.MR));
      assertWithMessage("threads=%s cols", threads).that(cols).isAtMost(GemmBlocking.ceilDiv(n, PanamaGemm.NR));
      assertWithMessage("threads=%s tasks", threads).that(rows * cols)
          .isAtMost(GemmTaskGrid.TASKS_PER_THREAD * threads);
    }
  }
}
