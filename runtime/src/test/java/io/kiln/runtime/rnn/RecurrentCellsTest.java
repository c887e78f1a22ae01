package io.kiln.runtime.rnn;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.runtime.rnn.RnnTestArrays.assertClose;

import io.kiln.runtime.simd.RecurrentCells;
import io.kiln.runtime.simd.Vectorization;
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
        // activations in their ranges
        float[] a = RnnTestArrays.random(r, 4 * n, 2);
        scalar.lstmForward(a, o, null, 0, RnnTestArrays.nans(n), o, RnnTestArrays.nans(n), o, n);
        float[] c = RnnTestArrays.random(r, n, 1);
        float[] cp = RnnTestArrays.random(r, n, 1);
        float[] dh = RnnTestArrays.random(r, n, 1);
        float[] dc = RnnTestArrays.random(r, n, 1);
        float[] dc2 = dc.clone();
        float[] da = RnnTestArrays.nans(4 * n);
        float[] da2 = da.clone();
        fast.lstmBackward(a, o, c, o, cp, o, dh, o, dy, o, dc, o, da, o, n);
        scalar.lstmBackward(a, o, c, o, cp, o, dh, o, dy, o, dc2, o, da2, o, n);
        assertClose("lstm da " + n, da2, da, 1e-6);
        assertClose("lstm dc " + n, dc2, dc, 1e-6);

        float[] g = RnnTestArrays.random(r, 3 * n, 2);
        scalar.gruForward(g, o, RnnTestArrays.random(r, 3 * n, 1), o, RnnTestArrays.random(r, n, 1), o,
            RnnTestArrays.nans(n), o, RnnTestArrays.nans(n), o, n);
        float[] hn = RnnTestArrays.random(r, n, 1);
        float[] hp = RnnTestArrays.random(r, n, 1);
        float[] gdh = RnnTestArrays.random(r, n, 1);
        float[] gdh2 = gdh.clone();
        float[] dRec = RnnTestArrays.nans(3 * n);
        float[] dRec2 = dRec.clone();
        float[] dN = RnnTestArrays.nans(n);
        float[] dN2 = dN.clone();
        fast.gruBackward(g, o, hn, o, hp, o, gdh, o, dy, o, dRec, o, dN, o, n);
        scalar.gruBackward(g, o, hn, o, hp, o, gdh2, o, dy, o, dRec2, o, dN2, o, n);
        assertClose("gru dRec " + n, dRec2, dRec, 0);
        assertClose("gru dN " + n, dN2, dN, 0);
        assertClose("gru dh " + n, gdh2, gdh, 0);
      }
    }
  }
}
