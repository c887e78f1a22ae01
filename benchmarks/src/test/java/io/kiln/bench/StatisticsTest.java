package io.kiln.bench;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StatisticsTest {
  @Test
  void medianOfAnOddCountIsTheMiddleValue() {
    assertThat(Timing.median(new double[] {9, 1, 5})).isEqualTo(5.0);
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(Timing.median(new double[] {4, 1, 3, 100})).isEqualTo(3.5);
  }

  @Test
  void medianLeavesItsInputUnsorted() {
    double[] t = {3, 1, 2};
    Timing.median(t);
    assertThat(t).usingExactEquality().containsExactly(3.0, 1.0, 2.0).inOrder();
  }

  @Test
  void percentileIsTheNearestRank() {
    double[] hundred = new double[100];
    for (int i = 0; i < 100; i++) {
      hundred[99 - i] = i + 1; // 100 … 1: the input's order does not matter
    }
    assertThat(Timing.percentile(hundred, 0.50)).isEqualTo(50.0);
    assertThat(Timing.percentile(hundred, 0.99)).isEqualTo(99.0);
    assertThat(Timing.percentile(new double[] {7, 3, 5}, 0.5)).isEqualTo(5.0);
    assertThat(Timing.percentile(new double[] {7, 3, 5}, 0.99)).isEqualTo(7.0);
    assertThrows(IllegalArgumentException.class, () -> Timing.percentile(new double[0], 0.5));
  }

  @Test
  void latenciesTimeAtLeastTheMinimumCallsOneByOne() {
    int[] calls = {0};
    double[] ms = Timing.latenciesMs(() -> calls[0]++, 1000, 0, 0);
    assertThat(ms.length).isAtLeast(1000);
    assertThat(calls[0]).isEqualTo(ms.length + 100); // 100 warm-up calls, untimed
    assertThat(Timing.min(ms)).isAtLeast(0.0);
  }

  @Test
  void minIsTheSmallest() {
    assertThat(Timing.min(new double[] {2.5, 0.5, 7})).isEqualTo(0.5);
  }

  @Test
  void noValuesIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> Timing.median(new double[0]));
    assertThrows(IllegalArgumentException.class, () -> Timing.min(new double[0]));
  }

  @Test
  void peakFractionIsFlopsOverTimeOverPeak() {
    // 1 GFLOP in 10 ms = 100 GFLOP/s, a quarter of 400
    assertThat(Report.fraction(1_000_000_000L, 10, 400)).isWithin(1e-12).of(0.25);
  }
}
