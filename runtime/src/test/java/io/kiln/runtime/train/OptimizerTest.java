package io.kiln.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Each optimizer against a trace computed by hand (or in double precision from PyTorch's formulas). */
class OptimizerTest {

  /** Runs the optimizer on one parameter starting at {@code p0} and returns p after each step. */
  private static float[] trace(Optimizer opt, float p0, float... grads) {
    float[] p = {p0};
    float[] out = new float[grads.length];
    for (int i = 0; i < grads.length; i++) {
      opt.step(p, new float[] {grads[i]}, 1);
      out[i] = p[0];
    }
    return out;
  }

  @Test
  void plainSgdIsExactlyPMinusLrG() {
    float[] p = {1f, -2f, 3f};
    float[] g = {0.5f, 0.25f, -1f};
    new Sgd(0.1f).step(p, g, 3);
    assertThat(p).usingExactEquality()
        .containsExactly(1f - 0.1f * 0.5f, -2f - 0.1f * 0.25f, 3f - 0.1f * -1f).inOrder();
  }

  @Test
  void sgdOnlyTouchesCount() {
    float[] p = {1f, 1f};
    new Sgd(1f).step(p, new float[] {1f, 1f}, 1);
    assertThat(p).usingExactEquality().containsExactly(0f, 1f).inOrder();
  }

  @Test
  void momentumTrace() {
    // b = 1, 1.9, 2.71 → p = −0.1, −0.29, −0.561
    Optimizer sgd = Sgd.builder(0.1f).momentum(0.9f).build();
    assertThat(trace(sgd, 0f, 1f, 1f, 1f)).usingTolerance(1e-6).containsExactly(-0.1f, -0.29f, -0.561f).inOrder();
  }

  @Test
  void nesterovTrace() {
    // updates g + 0.9b: 1.9, 2.71, 3.439 → p = −0.19, −0.461, −0.8049
    Optimizer sgd = Sgd.builder(0.1f).momentum(0.9f).nesterov(true).build();
    assertThat(trace(sgd, 0f, 1f, 1f, 1f)).usingTolerance(1e-6).containsExactly(-0.19f, -0.461f, -0.8049f).inOrder();
  }

  @Test
  void sgdWeightDecayTrace() {
    // g = 0 + 0.1p: p = 1 → 0.99 → 0.9801
    Optimizer sgd = Sgd.builder(0.1f).weightDecay(0.1f).build();
    assertThat(trace(sgd, 1f, 0f, 0f)).usingTolerance(1e-6).containsExactly(0.99f, 0.9801f).inOrder();
  }

  @Test
  void adamTrace() {
    // t=1: m̂ = 0.5, v̂ = 0.25 → step 0.1 → 0.9; t=2: m = 0.02, v = 0.00031225 → 0.873366…
    assertThat(trace(new Adam(0.1f), 1f, 0.5f, -0.25f, 1f)).usingTolerance(2e-6)
        .containsExactly(0.900000002f, 0.8733662987f, 0.8075551397f).inOrder();
  }

  @Test
  void adamWithL2Trace() {
    Optimizer adam = Adam.builder(0.1f).weightDecay(0.1f).build();
    assertThat(trace(adam, 1f, 0.5f, -0.25f, 1f)).usingTolerance(2e-6)
        .containsExactly(0.9000000017f, 0.8544413675f, 0.7815043999f).inOrder();
  }

  @Test
  void adamWTraceWithDefaultDecay() {
    // p shrinks by 1 − 0.1·0.01 before each Adam step: 1 → 0.999 → 0.899
    AdamW adamW = new AdamW(0.1f);
    assertThat(trace(adamW, 1f, 0.5f, -0.25f, 1f)).usingTolerance(2e-6)
        .containsExactly(0.899000002f, 0.8714672987f, 0.8047846724f).inOrder();
    assertThat(AdamW.DEFAULT_WEIGHT_DECAY).isEqualTo(0.01f);
    assertThat(Adam.DEFAULT_WEIGHT_DECAY).isEqualTo(0f);
  }

  @Test
  void learningRateCanBeScheduled() {
    Optimizer[] all = {new Sgd(0.1f), new Adam(0.1f), new AdamW(0.1f)};
    for (Optimizer o : all) {
      assertThat(o.learningRate()).isEqualTo(0.1f);
      o.setLearningRate(0.01f);
      assertThat(o.learningRate()).isEqualTo(0.01f);
      assertThrows(IllegalArgumentException.class, () -> o.setLearningRate(-0.01f));
      assertThrows(IllegalArgumentException.class, () -> o.setLearningRate(Float.NaN));
      o.setLearningRate(0f); // a schedule may reach 0 (cosine to 0, warm-up from 0)
      assertThat(o.learningRate()).isEqualTo(0f);
    }
    float[] p = {1f};
    Sgd sgd = new Sgd(1f);
    sgd.setLearningRate(0.5f);
    sgd.step(p, new float[] {1f}, 1);
    assertThat(p[0]).isEqualTo(0.5f);
  }

  @Test
  void argumentsAreValidated() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Sgd(Float.NaN));
    assertThat(e).hasMessageThat().isEqualTo("SGD: the learning rate must be positive and finite, got NaN");
    assertThrows(IllegalArgumentException.class, () -> new Sgd(-1f));
    assertThrows(IllegalArgumentException.class, () -> new Adam(Float.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> Sgd.builder(0.1f).momentum(1f));
    assertThat(assertThrows(IllegalArgumentException.class, () -> Sgd.builder(0.1f).nesterov(true).build()))
        .hasMessageThat().contains("Nesterov momentum needs momentum > 0");
    assertThrows(IllegalArgumentException.class, () -> Sgd.builder(0.1f).weightDecay(-0.1f));
    assertThat(assertThrows(IllegalArgumentException.class, () -> Adam.builder(0.1f).betas(0.9f, 1f).build()))
        .hasMessageThat().isEqualTo("Adam: beta2 must be in [0, 1), got 1.0");
    assertThrows(IllegalArgumentException.class, () -> AdamW.builder(0.1f).eps(-1f).build());
    assertThrows(IllegalArgumentException.class, () -> AdamW.builder(0.1f).weightDecay(Float.NaN).build());
    assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1f).step(new float[1], new float[2], 2));
  }

  @Test
  void statefulOptimizersRefuseADifferentSlab() {
    Adam adam = new Adam(0.1f);
    adam.step(new float[4], new float[4], 4);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> adam.step(new float[5], new float[5], 5));
    assertThat(e).hasMessageThat().contains("first used on 4 parameters and now on 5");
  }
}
