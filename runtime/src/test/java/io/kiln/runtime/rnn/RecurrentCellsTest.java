package io.kiln.runtime.rnn;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.runtime.rnn.RnnTestArrays.assertClose;

import io.kiln.runtime.simd.RecurrentCells;
import io.kiln.runtime.simd.Vectorization;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The chosen (Vector API) fused passes against the scalar twin, for widths with and without tails. */
class RecurrentCellsTest {
  private static final int[] WIDTHS = {1, 7, 16, 17, 35, 64};
  private final RecurrentCells fast = Vectorization.provider().recurrentCells();
  private final RecurrentCells scalar = Vectorization.scalar().recurrentCells();
  private final Random r = new Random(11);

  @Test
  void theVectorPassesAreChosenWhenTheModuleIsPresent() {
    boolean panama = Vectorization.provider().name().startsWith("panama");
    assertThat(fast.getClass().getSimpleName()).isEqualTo(panama ? "PanamaRecurrentCells" : "ScalarRecurrentCells");
  }

  @Test
  void forwardPassesMatchTheScalarTwin() {
    for (int n : WIDTHS) {
      for (boolean relu : new boolean[] {false, true}) {
        float[] a = RnnTestArrays.random(r, n, 2);
        float[] b = a.clone();
        fast.elmanForward(relu, a, RnnTestArrays.OFF, n);
        scalar.elmanForward(relu, b, RnnTestArrays.OFF, n);
        assertClose("elman " + n, b, a, 3e-7);
      }
      for (boolean withPrev : new boolean[] {false, true}) {
        float[] a = RnnTestArrays.random(r, 4 * n, 3);
        float[] a2 = a.clone();
        float[] cp = withPrev ? RnnTestArrays.random(r, n, 1) : null;
        float[] c = RnnTestArrays.nans(n);
        float[] c2 = c.clone();
        float[] h = RnnTestArrays.nans(n);
        float[] h2 = h.clone();
        fast.lstmForward(a, RnnTestArrays.OFF, cp, RnnTestArrays.OFF, c, RnnTestArrays.OFF, h, RnnTestArrays.OFF, n);
        scalar.lstmForward(a2, RnnTestArrays.OFF, cp, RnnTestArrays.OFF, c2, RnnTestArrays.OFF, h2, RnnTestArrays.OFF,
            n);
        assertClose("lstm gates " + n, a2, a, 3e-7);
        assertClose("lstm c " + n, c2, c, 1e-6);
        assertClose("lstm h " + n, h2, h, 1e-6);
      }
      float[] a = RnnTestArrays.random(r, 3 * n, 2);
      float[] a2 = a.clone();
      float[] rec = RnnTestArrays.random(r, 3 * n, 2);
      float[] hp = RnnTestArrays.random(r, n, 1);
      float[] hn = RnnTestArrays.nans(n);
      float[] hn2 = hn.clone();
      float[] h = RnnTestArrays.nans(n);
      float[] h2 = h.clone();
      int o = RnnTestArrays.OFF;
      fast.gruForward(a, o, rec, o, hp, o, hn, o, h, o, n);
      scalar.gruForward(a2, o, rec, o, hp, o, hn2, o, h2, o, n);
      assertClose("gru gates " + n, a2, a, 1e-6);
      assertClose("gru hn " + n, hn2, hn, 0);
      assertClose("gru h " + n, h2, h, 1e-6);
    }
  }

  @Test
  void backwardPassesMatchTheScalarTwin() {
    int o = RnnTestArrays.OFF;
    for (int n : WIDTHS) {
      for (boolean withDy : new boolean[] {false, true}) {
        float[] dy = withDy ? RnnTestArrays.random(r, n, 1) : null;
        // the layer's workspace: activations i, f, g, o (in their ranges), then c_t
        float[] ws = RnnTestArrays.random(r, 5 * n, 1);
        scalar.lstmForward(ws, o, null, 0, RnnTestArrays.nans(n), o, RnnTestArrays.nans(n), o, n);
        float[] cp = RnnTestArrays.random(r, n, 1);
        // its scratch: dh, dc, then da (to be written)
        float[] sc = RnnTestArrays.random(r, 6 * n, 1);
        Arrays.fill(sc, o + 2 * n, o + 6 * n, Float.NaN);
        float[] sc2 = sc.clone();
        fast.lstmBackward(ws, o, o + 4 * n, cp, o, sc, o, dy, o, o + n, o + 2 * n, n);
        scalar.lstmBackward(ws, o, o + 4 * n, cp, o, sc2, o, dy, o, o + n, o + 2 * n, n);
        assertClose("lstm dh, dc, da " + n, sc2, sc, 1e-6);

        // the workspace: activations r, z, n, then hn, then h_{t-1}
        float[] g = RnnTestArrays.random(r, 5 * n, 1);
        scalar.gruForward(g, o, RnnTestArrays.random(r, 3 * n, 1), o, RnnTestArrays.random(r, n, 1), o,
            RnnTestArrays.nans(n), o, RnnTestArrays.nans(n), o, n);
        // the scratch: dh, then dRec and dN (to be written)
        float[] gsc = RnnTestArrays.random(r, 5 * n, 1);
        Arrays.fill(gsc, o + n, o + 5 * n, Float.NaN);
        float[] gsc2 = gsc.clone();
        fast.gruBackward(g, o, o + 3 * n, o + 4 * n, gsc, o, dy, o, o + n, o + 4 * n, n);
        scalar.gruBackward(g, o, o + 3 * n, o + 4 * n, gsc2, o, dy, o, o + n, o + 4 * n, n);
        assertClose("gru dh, dRec, dN " + n, gsc2, gsc, 0);
      }
    }
  }
}
