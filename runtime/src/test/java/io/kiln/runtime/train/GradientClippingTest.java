package io.kiln.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The in-place clip: exact scaling, the range it touches, and the one non-finite policy. */
class GradientClippingTest {

  @Test
  void clipsASimpleVectorExactly() {
    float[] g = {3f, 4f, 99f};
    assertThat(GradientClipping.clipByGlobalNorm(g, 2, 1f)).isEqualTo(5.0);
    assertThat(g).isEqualTo(new float[] {0.6f, 0.8f, 99f});
    float[] h = {7f, 3f, 4f};
    assertThat(GradientClipping.clipByGlobalNorm(h, 1, 2, 10f)).isEqualTo(5.0);
    assertThat(h).isEqualTo(new float[] {7f, 3f, 4f});
  }

  @Test
  void aNaNGradientThrowsAndLeavesEveryGradientAsItWas() {
    float[] g = {Float.NaN, 1f, 2f};
    ArithmeticException e = assertThrows(ArithmeticException.class, () -> GradientClipping.clipByGlobalNorm(g, 3, 1f));
    assertThat(e).hasMessageThat().isEqualTo("clipByGlobalNorm: the global gradient norm is NaN, so no parameter was"
        + " changed; lower the learning rate or check the inputs and the loss");
    assertThat(g[1]).isEqualTo(1f);
    assertThat(g[2]).isEqualTo(2f);
  }

  @Test
  void anInfiniteGradientThrowsInsteadOfScalingTheOthersToZeroOrNaN() {
    float[] g = {Float.NEGATIVE_INFINITY, 3f};
    ArithmeticException e = assertThrows(ArithmeticException.class, () -> GradientClipping.clipByGlobalNorm(g, 2, 1f));
    assertThat(e).hasMessageThat().contains("norm is Infinity");
    assertThat(g).isEqualTo(new float[] {Float.NEGATIVE_INFINITY, 3f});
  }

  @Test
  void theOptimizersAndTheInPlaceClipAgreeOnTheNormAndTheFactor() {
    float[] g = {1e-3f, -2f, 0.5f, 7f, -3f};
    double norm = GradientClipping.globalNorm(g, 0, g.length);
    Sgd sgd = Sgd.builder(1f).clipGlobalNorm(1f).build();
    float[] p = new float[g.length];
    sgd.step(p, g, g.length);
    assertThat(sgd.lastGradientNorm()).isEqualTo(norm);
    float[] clipped = g.clone();
    assertThat(GradientClipping.clipByGlobalNorm(clipped, g.length, 1f)).isEqualTo(norm);
    for (int i = 0; i < g.length; i++) {
      assertThat(p[i]).isEqualTo(-clipped[i]); // SGD at lr 1 steps by exactly the clipped gradient
    }
  }

  @Test
  void badArgumentsAreRejected() {
    float[] g = {1f, 1f};
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipByGlobalNorm(g, 2, 0f));
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipByGlobalNorm(g, 2, Float.NaN));
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipByGlobalNorm(g, 2, Float.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipByGlobalNorm(g, -1, 1f));
    assertThrows(IndexOutOfBoundsException.class, () -> GradientClipping.clipByGlobalNorm(g, 3, 1f));
  }
}
