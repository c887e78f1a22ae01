package io.kiln.runtime.rnn;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.runtime.rnn.RnnTestArrays.OFF;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TimeReversalTest {
  private final Random r = new Random(29);

  @Test
  void reverseMatchesTheIndexFormulaOnRaggedSizes() {
    for (int batch : new int[] {1, 2, 3}) {
      for (int steps : new int[] {1, 2, 5, 8}) {
        for (int features : new int[] {1, 3, 17}) {
          float[] x = RnnTestArrays.random(r, batch * steps * features, 1);
          float[] y = RnnTestArrays.nans(batch * steps * features);
          TimeReversal.reverse(batch, steps, features, x, OFF, y, OFF);
          for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
              for (int j = 0; j < features; j++) {
                assertThat(y[OFF + (b * steps + t) * features + j])
                    .isEqualTo(x[OFF + (b * steps + steps - 1 - t) * features + j]);
              }
            }
          }
          assertThat(Float.isNaN(y[OFF - 1]) && Float.isNaN(y[OFF + batch * steps * features])).isTrue(); // guards untouched
        }
      }
    }
  }

  @Test
  void reversingTwiceGivesTheInputBack() {
    int batch = 2;
    int steps = 7;
    int features = 5;
    float[] x = RnnTestArrays.random(r, batch * steps * features, 1);
    float[] once = RnnTestArrays.nans(batch * steps * features);
    float[] twice = RnnTestArrays.nans(batch * steps * features);
    TimeReversal.reverse(batch, steps, features, x, OFF, once, OFF);
    TimeReversal.reverse(batch, steps, features, once, OFF, twice, OFF);
    assertThat(once).isNotEqualTo(x);
    assertThat(slice(twice, batch * steps * features)).isEqualTo(slice(x, batch * steps * features));
  }

  @Test
  void addAccumulatesTheReversedGradient() {
    int batch = 3;
    int steps = 4;
    int features = 2;
    int n = batch * steps * features;
    float[] dy = RnnTestArrays.random(r, n, 1);
    float[] dx = RnnTestArrays.random(r, n, 1);
    float[] before = dx.clone();
    float[] reversed = RnnTestArrays.nans(n);
    TimeReversal.reverse(batch, steps, features, dy, OFF, reversed, OFF);
    TimeReversal.add(batch, steps, features, dy, OFF, dx, OFF);
    for (int i = OFF; i < OFF + n; i++) {
      assertThat(dx[i]).isEqualTo(before[i] + reversed[i]);
    }
  }

  @Test
  void shorterStepsReverseOnlyThePrefixOfTheBuffer() {
    // A batch of 3 steps in a buffer sized for 5: the reversal is [B, 3, F], read and written densely.
    float[] x = {1, 2, 3, 4, 5, 6, 99, 99, 99, 99};
    float[] y = new float[10];
    TimeReversal.reverse(2, 3, 1, x, 0, y, 0);
    assertThat(y).isEqualTo(new float[] {3, 2, 1, 6, 5, 4, 0, 0, 0, 0});
  }

  @Test
  void badArgumentsAreNamed() {
    float[] a = new float[12];
    float[] b = new float[12];
    assertThat(assertThrows(IllegalArgumentException.class, () -> TimeReversal.reverse(1, 0, 2, a, 0, b, 0)))
        .hasMessageThat().contains("steps=0");
    assertThat(assertThrows(IllegalArgumentException.class, () -> TimeReversal.reverse(1, 2, 0, a, 0, b, 0)))
        .hasMessageThat().contains("features must be >= 1");
    assertThat(assertThrows(IndexOutOfBoundsException.class, () -> TimeReversal.reverse(2, 4, 2, a, 0, b, 0)))
        .hasMessageThat().contains("needs 16 floats");
    assertThat(assertThrows(IllegalArgumentException.class, () -> TimeReversal.add(1, 3, 2, a, 0, a, 4)))
        .hasMessageThat().contains("overlaps");
  }

  private static float[] slice(float[] a, int n) {
    return java.util.Arrays.copyOfRange(a, OFF, OFF + n);
  }
}
