package io.kiln.runtime.init;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;

class RngStateTest {

  @Test
  void aSavedStateResumesTheSameStream() {
    Rng a = new Rng(42);
    for (int i = 0; i < 7; i++) {
      a.nextFloat();
    }
    long s = a.state();
    long[] expected = new long[20];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = i % 3 == 0 ? a.nextLong() : i % 3 == 1 ? Float.floatToRawIntBits(a.nextFloat()) : a.nextInt(1000);
    }
    for (Rng b : new Rng[] {Rng.fromState(s), new Rng(-1)}) {
      if (b.state() != s) {
        b.setState(s);
      }
      for (int i = 0; i < expected.length; i++) {
        long v = i % 3 == 0 ? b.nextLong() : i % 3 == 1 ? Float.floatToRawIntBits(b.nextFloat()) : b.nextInt(1000);
        assertThat(v).isEqualTo(expected[i]);
      }
    }
  }

  @Test
  void aSeedIsAState() {
    assertThat(new Rng(123).state()).isEqualTo(123);
    Rng a = new Rng(123);
    Rng b = Rng.fromState(123);
    assertThat(a.nextLong()).isEqualTo(b.nextLong());
    assertThat(a.state()).isEqualTo(b.state());
  }

  @Test
  void gaussiansResumeExactlyAfterAnEvenNumberOfDraws() {
    Rng a = new Rng(7);
    a.nextGaussian();
    a.nextGaussian();
    Rng b = Rng.fromState(a.state());
    for (int i = 0; i < 5; i++) {
      assertThat(b.nextGaussian()).isEqualTo(a.nextGaussian());
    }
  }

  @Test
  void setStateDiscardsACachedGaussian() {
    Rng a = new Rng(7);
    double first = a.nextGaussian(); // the pair's second value is now cached
    a.setState(7);
    assertThat(a.nextGaussian()).isEqualTo(first);
  }
}
