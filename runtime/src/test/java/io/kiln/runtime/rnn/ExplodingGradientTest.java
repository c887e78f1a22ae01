package io.kiln.runtime.rnn;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.runtime.rnn.RnnTestArrays.OFF;

import io.kiln.runtime.train.GradientClipping;
import org.junit.jupiter.api.Test;

/** Exploding gradients through 50 steps, and clipping them back to τ. */
class ExplodingGradientTest {

  @Test
  void explodingGradientsAreBoundedByClipping() {
    int steps = 50;
    RecurrentGeometry g = new RecurrentGeometry(CellKind.RNN_RELU, 3, 8);
    RnnFixture f = new RnnFixture(g, 2, steps, true, true, 5);
    // a recurrent weight of 1.6·I plus small positive noise keeps every unit active and multiplies
    // the gradient by more than 1.6 per step; positive inputs, biases and state keep ReLU open
    for (int r = 0; r < g.hidden(); r++) {
      for (int c = 0; c < g.hidden(); c++) {
        f.wHh[OFF + r * g.hidden() + c] = (r == c ? 1.6f : 0f) + 0.01f * Math.abs(f.wHh[OFF + r * g.hidden() + c]);
      }
    }
    absolute(f.x);
    absolute(f.wIh);
    absolute(f.bIh);
    absolute(f.bHh);
    absolute(f.h0);
    absolute(f.dy);
    absolute(f.dhT);
    f.zeroGradients();
    f.forward();
    f.backward();
    // pack all parameter gradients into one arena, as a generated model does
    float[] arena = concat(f.dWIh, f.dWHh, f.dBIh, f.dBHh);
    double norm = GradientClipping.clipByGlobalNorm(arena, arena.length, Float.MAX_VALUE);
    assertThat(norm).isGreaterThan(1e9); // 1.6^50 ≈ 1.7e10
    float[] clipped = arena.clone();
    float tau = 1f;
    double before = GradientClipping.clipByGlobalNorm(clipped, clipped.length, tau);
    assertThat(before).isEqualTo(norm);
    double after = GradientClipping.globalNorm(clipped, 0, clipped.length);
    assertThat(after).isWithin(1e-6).of(tau);
    // the direction is unchanged
    for (int i = 0; i < arena.length; i++) {
      assertThat((double) clipped[i]).isWithin(1e-6 * Math.abs(arena[i] / norm) + 1e-30).of(arena[i] / norm);
    }
    // below τ nothing changes
    float[] again = clipped.clone();
    assertThat(GradientClipping.clipByGlobalNorm(again, again.length, 2f)).isWithin(1e-6).of(1.0);
    assertThat(again).isEqualTo(clipped);
  }

  private static void absolute(float[] a) {
    for (int i = OFF; i < a.length - OFF; i++) {
      a[i] = Math.abs(a[i]);
    }
  }

  private static float[] concat(float[]... parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length - 2 * OFF;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, OFF, out, at, p.length - 2 * OFF);
      at += p.length - 2 * OFF;
    }
    return out;
  }
}
