package io.kiln.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Schedules against values computed by hand from PyTorch's (and Hugging Face's) formulas. */
class ScheduleTest {

  private static float[] rates(LearningRateSchedule s, int steps) {
    float[] out = new float[steps];
    for (int i = 0; i < steps; i++) {
      out[i] = s.rate(i);
    }
    return out;
  }

  @Test
  void stepDecayIsStepLR() {
    // StepLR(step_size=3, gamma=0.5) from 0.1: 0.1 ×3, 0.05 ×3, 0.025
    assertThat(rates(new StepDecay(0.1f, 3, 0.5f), 7)).usingExactEquality()
        .containsExactly(0.1f, 0.1f, 0.1f, 0.05f, 0.05f, 0.05f, 0.025f).inOrder();
    assertThat(new StepDecay(0.1f, 30, 0.1f).rate(95)).isWithin(1e-10f).of(1e-4f);
  }

  @Test
  void cosineDecayIsCosineAnnealingLR() {
    // T_max = 4, eta_min = 0: (1 + cos(πk/4)) / 2
    assertThat(rates(new CosineDecay(1f, 4, 0f), 6)).usingTolerance(1e-7)
        .containsExactly(1f, 0.8535533906f, 0.5f, 0.1464466094f, 0f, 0f).inOrder();
    // eta_min = 0.01, halfway: 0.01 + 0.09 · 0.5
    assertThat(new CosineDecay(0.1f, 10, 0.01f).rate(5)).isWithin(1e-8f).of(0.055f);
    // holds the minimum after T_max (PyTorch would climb back up)
    assertThat(new CosineDecay(0.1f, 10, 0.01f).rate(1_000)).isEqualTo(0.01f);
  }

  @Test
  void linearWarmupFromZeroThenShiftedSchedule() {
    LearningRateSchedule s = new LinearWarmup(4, new StepDecay(0.1f, 2, 0.1f));
    assertThat(rates(s, 8)).usingTolerance(1e-8)
        .containsExactly(0f, 0.025f, 0.05f, 0.075f, 0.1f, 0.1f, 0.01f, 0.01f).inOrder();
  }

  @Test
  void linearWarmupWithStartFactorIsLinearLR() {
    // LinearLR(start_factor=0.25, total_iters=4): 0.25 + 0.75·k/4
    LearningRateSchedule s = new LinearWarmup(4, 0.25f, LearningRateSchedule.constant(2f));
    assertThat(rates(s, 6)).usingTolerance(1e-7)
        .containsExactly(0.5f, 0.875f, 1.25f, 1.625f, 2f, 2f).inOrder();
  }

  @Test
  void warmupThenCosineIsHuggingFacesCosineScheduleWithWarmup() {
    // get_cosine_schedule_with_warmup(warmup=2, total=6) at base 1:
    // k < 2: k/2; else 0.5·(1 + cos(π·(k − 2)/4))
    LearningRateSchedule s = new LinearWarmup(2, new CosineDecay(1f, 4, 0f));
    assertThat(rates(s, 7)).usingTolerance(1e-7)
        .containsExactly(0f, 0.5f, 1f, 0.8535533906f, 0.5f, 0.1464466094f, 0f).inOrder();
  }

  @Test
  void schedulesComposeAndApplyToAnyOptimizer() {
    // the outer ramp scales the inner schedule's step 0 (itself 0.5 · 1): 0.25, 0.375; then the inner one
    LearningRateSchedule s = new LinearWarmup(2, 0.5f, new LinearWarmup(2, 0.5f, new StepDecay(1f, 1, 0.5f)));
    assertThat(rates(s, 7)).usingTolerance(1e-7).containsExactly(0.25f, 0.375f, 0.5f, 0.75f, 1f, 0.5f, 0.25f).inOrder();
    for (Optimizer o : new Optimizer[] {new Sgd(1f), new Adam(1f), new AdamW(1f)}) {
      assertThat(Schedules.apply(o, new StepDecay(0.1f, 3, 0.5f), 4)).isEqualTo(0.05f);
      assertThat(o.learningRate()).isEqualTo(0.05f);
      Schedules.apply(o, new LinearWarmup(10, LearningRateSchedule.constant(1f)), 0);
      assertThat(o.learningRate()).isEqualTo(0f);
    }
    // a step at rate 0 leaves plain SGD's parameters unchanged
    Sgd sgd = new Sgd(1f);
    sgd.setLearningRate(0f);
    float[] p = {1f};
    sgd.step(p, new float[] {5f}, 1);
    assertThat(p[0]).isEqualTo(1f);
  }

  @Test
  void argumentsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> new StepDecay(0.1f, 0, 0.5f));
    assertThrows(IllegalArgumentException.class, () -> new StepDecay(0.1f, 3, 1.5f));
    assertThrows(IllegalArgumentException.class, () -> new StepDecay(Float.NaN, 3, 0.5f));
    assertThrows(IllegalArgumentException.class, () -> new CosineDecay(0.1f, 0, 0f));
    assertThrows(IllegalArgumentException.class, () -> new CosineDecay(0.1f, 10, -1f));
    assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(0, LearningRateSchedule.constant(1f)));
    assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(5, 2f, LearningRateSchedule.constant(1f)));
    assertThrows(NullPointerException.class, () -> new LinearWarmup(5, null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CosineDecay(1f, 10, 0f).rate(-1));
    assertThat(e).hasMessageThat().contains("step -1");
    assertThrows(IllegalArgumentException.class, () -> Schedules.apply(new Sgd(1f), step -> -1f, 0));
  }
}
