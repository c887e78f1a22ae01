package io.kiln.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.init.Rng;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Clipping by global norm and weight decay, folded into the optimizers' single pass. */
class ClippingTest {

  private static float[] random(Rng rng, int n, float scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rng.nextGaussian() * scale;
    }
    return a;
  }

  private static double norm(float[] a) {
    double s = 0;
    for (float x : a) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  @Test
  void clippingScalesTheGradientToExactlyTau() {
    // ‖(3, 4)‖ = 5 > τ = 1: the effective gradient is (0.6, 0.8), so plain SGD at lr 1 moves by it
    Sgd sgd = Sgd.builder(1f).clipGlobalNorm(1f).build();
    float[] p = {0f, 0f};
    float[] g = {3f, 4f};
    sgd.step(p, g, 2);
    assertThat(sgd.lastGradientNorm()).isEqualTo(5.0);
    assertThat(p).usingTolerance(1e-7).containsExactly(-0.6f, -0.8f).inOrder();
    assertThat(g).usingExactEquality().containsExactly(3f, 4f).inOrder(); // gradients untouched
    assertThat(norm(p)).isWithin(1e-6).of(1.0);

    // a large random slab: the update of lr-1 SGD is the clipped gradient, of norm τ
    Rng rng = new Rng(3);
    float[] big = random(rng, 10_001, 5f);
    float[] q = new float[big.length];
    Sgd clip = Sgd.builder(1f).clipGlobalNorm(0.5f).build();
    clip.step(q, big, big.length);
    assertThat(clip.lastGradientNorm()).isWithin(1e-9).of(norm(big));
    assertThat(norm(q)).isWithin(0.5e-6).of(0.5);
  }

  @Test
  void sgdMomentumDecayAndClippingTrace() {
    // τ = 1, momentum 0.9, λ = 0.1, lr 0.1, p = 1, grads 2, 0.5, −4:
    // s = 0.5: g = 1 + 0.1 = 1.1, b = 1.1, p = 0.89
    // s = 1:   g = 0.5 + 0.089 = 0.589, b = 0.99 + 0.589 = 1.579, p = 0.7321
    // s = .25: g = −1 + 0.07321 = −0.92679, b = 1.4211 − 0.92679 = 0.49431, p = 0.682669
    Sgd sgd = Sgd.builder(0.1f).momentum(0.9f).weightDecay(0.1f).clipGlobalNorm(1f).build();
    float[] p = {1f};
    float[] out = new float[3];
    float[] grads = {2f, 0.5f, -4f};
    for (int i = 0; i < 3; i++) {
      sgd.step(p, new float[] {grads[i]}, 1);
      out[i] = p[0];
    }
    assertThat(out).usingTolerance(1e-6).containsExactly(0.89f, 0.7321f, 0.682669f).inOrder();
    assertThat(sgd.lastGradientNorm()).isEqualTo(4.0);
  }

  /** Clipping ≡ PyTorch's clip_grad_norm_ (grads × τ/‖g‖ in float) then a plain step, bit for bit. */
  @Test
  void clippedStepEqualsAStepOnPreScaledGradients() {
    float tau = 0.75f;
    record Pair(Optimizer clipped, Optimizer plain) {}
    java.util.List<Supplier<Pair>> kinds = java.util.List.of(
        () -> new Pair(Sgd.builder(0.05f).momentum(0.9f).nesterov(true).weightDecay(0.01f).clipGlobalNorm(tau).build(),
            Sgd.builder(0.05f).momentum(0.9f).nesterov(true).weightDecay(0.01f).build()),
        () -> new Pair(Adam.builder(0.01f).weightDecay(0.1f).clipGlobalNorm(tau).build(),
            Adam.builder(0.01f).weightDecay(0.1f).build()),
        () -> new Pair(AdamW.builder(0.01f).clipGlobalNorm(tau).build(), new AdamW(0.01f)));
    for (Supplier<Pair> kind : kinds) {
      Pair pair = kind.get();
      Rng rng = new Rng(11);
      int n = 37;
      float[] p1 = random(rng, n, 1f);
      float[] p2 = p1.clone();
      for (int step = 0; step < 6; step++) {
        float[] g = random(rng, n, step % 2 == 0 ? 1f : 0.01f); // some steps clip, some do not
        double nrm = norm(g);
        float s = nrm > tau ? (float) (tau / nrm) : 1f;
        float[] scaled = new float[n];
        for (int i = 0; i < n; i++) {
          scaled[i] = g[i] * s;
        }
        pair.clipped().step(p1, g, n);
        pair.plain().step(p2, scaled, n);
        assertThat(pair.clipped().lastGradientNorm()).isEqualTo(nrm);
        assertThat(pair.plain().lastGradientNorm()).isNaN();
        assertThat(p1).usingExactEquality().containsExactly(p2).inOrder();
      }
    }
  }

  @Test
  void unclippedStepIsBitwiseTheOldOne() {
    // τ far above the norm: the factor is exactly 1f, so nothing differs from no clipping
    Rng rng = new Rng(5);
    float[] p1 = random(rng, 50, 1f);
    float[] p2 = p1.clone();
    Adam a = Adam.builder(0.01f).clipGlobalNorm(1e6f).build();
    Adam b = new Adam(0.01f);
    for (int i = 0; i < 3; i++) {
      float[] g = random(rng, 50, 1f);
      a.step(p1, g, 50);
      b.step(p2, g, 50);
    }
    assertThat(p1).usingExactEquality().containsExactly(p2).inOrder();
  }

  @Test
  void aNonFiniteNormChangesNothing() {
    Adam adam = Adam.builder(0.1f).clipGlobalNorm(1f).build();
    float[] p = {1f, 2f};
    adam.step(p, new float[] {0.1f, 0.1f}, 2);
    float[] before = p.clone();
    OptimizerState state = adam.state();
    ArithmeticException e = assertThrows(ArithmeticException.class,
        () -> adam.step(p, new float[] {Float.NaN, 1f}, 2));
    assertThat(e).hasMessageThat().contains("Adam: the global gradient norm is NaN, so no parameter was changed");
    assertThat(p).usingExactEquality().containsExactly(before).inOrder();
    assertThat(adam.state().steps()).isEqualTo(state.steps());
    assertThat(adam.state().buffers().get("exp_avg")).usingExactEquality()
        .containsExactly(state.buffers().get("exp_avg")).inOrder();
    assertThat(adam.lastGradientNorm()).isNaN();
    Sgd sgd = Sgd.builder(0.1f).clipGlobalNorm(1f).build();
    assertThrows(ArithmeticException.class, () -> sgd.step(p, new float[] {Float.POSITIVE_INFINITY, 0f}, 2));
    assertThat(sgd.lastGradientNorm()).isPositiveInfinity();
    assertThat(p).usingExactEquality().containsExactly(before).inOrder();
  }

  @Test
  void weightDecayIsTheGradientOfHalfLambdaSumOfSquares() {
    // PyTorch's weight_decay λ adds λ·w to the gradient: ∂/∂w (λ/2)·Σw² = λ·w.
    Rng rng = new Rng(9);
    float lambda = 0.3f;
    float[] p1 = random(rng, 20, 1f);
    float[] p2 = p1.clone();
    float[] g = random(rng, 20, 1f);
    Sgd.builder(0.1f).weightDecay(lambda).build().step(p1, g, 20);
    float[] withPenalty = new float[20];
    for (int i = 0; i < 20; i++) {
      withPenalty[i] = g[i] + lambda * p2[i];
    }
    new Sgd(0.1f).step(p2, withPenalty, 20);
    assertThat(p1).usingExactEquality().containsExactly(p2).inOrder();
  }

  @Test
  void clipArgumentIsValidated() {
    assertThrows(IllegalArgumentException.class, () -> Sgd.builder(0.1f).clipGlobalNorm(0f));
    assertThrows(IllegalArgumentException.class, () -> Adam.builder(0.1f).clipGlobalNorm(-1f));
    assertThrows(IllegalArgumentException.class, () -> AdamW.builder(0.1f).clipGlobalNorm(Float.POSITIVE_INFINITY));
    assertThat(Sgd.builder(0.1f).clipGlobalNorm(1f).build().toString()).contains("clipGlobalNorm=1.0");
    assertThat(new Sgd(0.1f).lastGradientNorm()).isNaN();
  }
}
