package io.kiln.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.init.Rng;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Optimizer state out and back in, exactly. */
class OptimizerStateTest {

  private static final List<Supplier<Optimizer>> KINDS = List.of(
      () -> Sgd.builder(0.05f).momentum(0.9f).weightDecay(0.01f).build(),
      () -> Sgd.builder(0.05f).build(),
      () -> Adam.builder(0.01f).weightDecay(0.1f).clipGlobalNorm(1f).build(),
      () -> new AdamW(0.01f));

  private static float[] random(Rng rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rng.nextGaussian();
    }
    return a;
  }

  @Test
  void restoredOptimizerContinuesBitwise() {
    for (Supplier<Optimizer> kind : KINDS) {
      Optimizer a = kind.get();
      Rng rng = new Rng(1);
      float[] p = random(rng, 23);
      for (int i = 0; i < 3; i++) {
        a.step(p, random(rng, 23), 23);
      }
      a.setLearningRate(a.learningRate() / 2); // the current rate is state too
      OptimizerState saved = ((Stateful) a).state();
      float[] pSaved = p.clone();
      long rngSaved = rng.state();
      for (int i = 0; i < 3; i++) {
        a.step(p, random(rng, 23), 23);
      }

      Optimizer b = kind.get();
      b.step(new float[23], new float[23], 23); // already used: restore replaces everything
      ((Stateful) b).restore(saved);
      assertThat(b.learningRate()).isEqualTo(saved.learningRate());
      float[] q = pSaved;
      rng.setState(rngSaved);
      for (int i = 0; i < 3; i++) {
        b.step(q, random(rng, 23), 23);
      }
      assertThat(q).usingExactEquality().containsExactly(p).inOrder();
      assertThat(((Stateful) b).state().steps()).isEqualTo(6);
    }
  }

  @Test
  void stateIsASnapshotWithPyTorchNames() {
    Adam adam = new Adam(0.1f);
    assertThat(adam.state().buffers()).isEmpty();
    assertThat(adam.state().steps()).isEqualTo(0);
    float[] p = {1f};
    adam.step(p, new float[] {0.5f}, 1);
    OptimizerState s = adam.state();
    assertThat(s.kind()).isEqualTo("Adam");
    assertThat(s.buffers().keySet()).containsExactly("exp_avg", "exp_avg_sq").inOrder();
    float m = s.buffers().get("exp_avg")[0];
    assertThat(m).isWithin(1e-7f).of(0.05f);
    adam.step(p, new float[] {0.5f}, 1);
    assertThat(s.buffers().get("exp_avg")[0]).isEqualTo(m); // later steps do not change it
    assertThat(Sgd.builder(0.1f).momentum(0.5f).build().kind()).isEqualTo("SGD");
    Sgd sgd = Sgd.builder(0.1f).momentum(0.5f).build();
    sgd.step(p, new float[] {1f}, 1);
    assertThat(sgd.state().buffers().keySet()).containsExactly(Sgd.MOMENTUM_BUFFER);
    assertThat(new AdamW(0.1f).settings()).containsExactly("lr", "0.1", "betas", "(0.9, 0.999)", "eps", "1.0E-8",
        "weight_decay", "0.01", "clip_global_norm", "0.0").inOrder();
  }

  @Test
  void restoreRefusesForeignStateAndChangesNothing() {
    Adam adam = new Adam(0.1f);
    float[] p = {1f};
    adam.step(p, new float[] {0.5f}, 1);
    OptimizerState before = adam.state();

    AdamW w = new AdamW(0.1f);
    w.step(new float[1], new float[] {1f}, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adam.restore(w.state()));
    assertThat(e).hasMessageThat().isEqualTo("Adam: cannot restore the state of a AdamW optimizer; build a AdamW to resume it");

    Sgd momentum = Sgd.builder(0.1f).momentum(0.9f).build();
    momentum.step(new float[1], new float[] {1f}, 1);
    Sgd plain = new Sgd(0.1f);
    e = assertThrows(IllegalArgumentException.class, () -> plain.restore(momentum.state()));
    assertThat(e).hasMessageThat().contains("keeps buffers [] but the state has [momentum_buffer]");

    assertThrows(IllegalArgumentException.class,
        () -> adam.restore(new OptimizerState("Adam", 3, 0.1f, Map.of("exp_avg", new float[1]))));
    assertThrows(IllegalArgumentException.class,
        () -> adam.restore(new OptimizerState("Adam", 3, 0.1f, Map.of("exp_avg", new float[1], "exp_avg_sq", new float[2]))));
    assertThrows(IllegalArgumentException.class,
        () -> adam.restore(new OptimizerState("Adam", 0, 0.1f, Map.of("exp_avg", new float[1], "exp_avg_sq", new float[1]))));
    assertThrows(IllegalArgumentException.class,
        () -> adam.restore(new OptimizerState("Adam", 1, Float.NaN, Map.of())));

    OptimizerState after = adam.state();
    assertThat(after.steps()).isEqualTo(before.steps());
    assertThat(after.learningRate()).isEqualTo(before.learningRate());
    assertThat(after.buffers().get("exp_avg")).usingExactEquality().containsExactly(before.buffers().get("exp_avg"));

    // a state from before the first step resets the optimizer
    adam.restore(new Adam(0.2f).state());
    assertThat(adam.state().steps()).isEqualTo(0);
    assertThat(adam.state().buffers()).isEmpty();
    assertThat(adam.learningRate()).isEqualTo(0.2f);
  }
}
