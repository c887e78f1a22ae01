package io.kiln.runtime.rnn;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
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
        fast.lstmForward(a, RnnTestArrays.OFF, cp, RnnTestArrays.OFF, c, RnnTestArrays.OFF, h, RnnTestArrays.OFF, n,
            n);
        scalar.lstmForward(a2, RnnTestArrays.OFF, cp, RnnTestArrays.OFF, c2, RnnTestArrays.OFF, h2, RnnTestArrays.OFF,
            n, n);
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
      fast.gruForward(a, o, rec, o, hp, o, hn, o, h, o, n, n);
      scalar.gruForward(a2, o, rec, o, hp, o, hn2, o, h2, o, n, n);
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
        scalar.lstmForward(ws, o, null, 0, RnnTestArrays.nans(n), o, RnnTestArrays.nans(n), o, n, n);
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
            RnnTestArrays.nans(n), o, RnnTestArrays.nans(n), o, n, n);
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

  /**
   * A thread that owns units [u0, u1) of a sequence updates them with the gate blocks a hidden
   * size apart: every output must get the bits the whole row's pass gives it, in both
   * implementations, for ranges with and without vector tails.
   */
  @Test
  void aRangeOfUnitsGetsTheBitsOfTheWholeRow() {
    int o = RnnTestArrays.OFF;
    for (RecurrentCells cells : new RecurrentCells[] {fast, scalar}) {
      for (int n : new int[] {35, 64, 97}) {
        for (int[] range : new int[][] {{0, 32}, {32, n}, {3, n - 5}}) {
          int u0 = range[0];
          int u1 = range[1];
          int m = u1 - u0;
          String what = cells.getClass().getSimpleName() + " n " + n + " units " + u0 + ".." + u1 + ": ";
          float[] cp = RnnTestArrays.random(r, n, 1);
          float[] a = RnnTestArrays.random(r, 4 * n, 3);
          float[] part = a.clone();
          float[] c = RnnTestArrays.nans(n);
          float[] cPart = c.clone();
          float[] h = RnnTestArrays.nans(n);
          float[] hPart = h.clone();
          cells.lstmForward(a, o, cp, o, c, o, h, o, n, n);
          cells.lstmForward(part, o + u0, cp, o + u0, cPart, o + u0, hPart, o + u0, m, n);
          assertSlices(what + "lstm gates", a, part, o + u0, 4, n, m);
          assertSlices(what + "lstm c", c, cPart, o + u0, 1, n, m);
          assertSlices(what + "lstm h", h, hPart, o + u0, 1, n, m);

          float[] g = RnnTestArrays.random(r, 3 * n, 2);
          float[] gPart = g.clone();
          float[] rec = RnnTestArrays.random(r, 3 * n, 2);
          float[] hn = RnnTestArrays.nans(n);
          float[] hnPart = hn.clone();
          cells.gruForward(g, o, rec, o, cp, o, hn, o, h, o, n, n);
          cells.gruForward(gPart, o + u0, rec, o + u0, cp, o + u0, hnPart, o + u0, hPart, o + u0, m, n);
          assertSlices(what + "gru gates", g, gPart, o + u0, 3, n, m);
          assertSlices(what + "gru hn", hn, hnPart, o + u0, 1, n, m);
          assertSlices(what + "gru h", h, hPart, o + u0, 1, n, m);
        }
      }
    }
  }

  /** {@code blocks} slices of {@code m} floats, {@code stride} apart from {@code from}: the same bits. */
  private static void assertSlices(String what, float[] whole, float[] part, int from, int blocks, int stride, int m) {
    for (int i = 0; i < blocks; i++) {
      int at = from + i * stride;
      assertWithMessage(what + " (block " + i + ")").that(Arrays.copyOfRange(part, at, at + m))
          .isEqualTo(Arrays.copyOfRange(whole, at, at + m));
    }
  }

  /**
   * A sequence's product split by units: panels packed in two parts, each part's columns of every
   * gate multiplied by one {@code multiplyRow} call, give the bits of the one-call product, and
   * nothing outside the requested columns is written.
   */
  @Test
  void unitRangesOfTheRowProductGiveTheBitsOfTheWholeRow() {
    if (!fast.packsSteps()) {
      return; // the scalar twin has no packed product; the recurrent layer then runs the GEMM
    }
    int k = 37;
    int nr = fast.panelColumns();
    for (int hidden : new int[] {2 * nr, 3 * nr + 5, 5 * nr}) {
      int gates = 4;
      int n = gates * hidden;
      float[] w = gaussians(n * k);
      float[] bias = gaussians(n);
      float[] state = gaussians(k);
      for (boolean accumulate : new boolean[] {false, true}) {
        float[] start = gaussians(n);
        float[] whole = product(1, n, k, w, state, start, accumulate, bias);
        int packed = k + n;
        float[] buf = new float[packed + RecurrentCells.packedFloats(k, n)];
        System.arraycopy(state, 0, buf, 0, k);
        System.arraycopy(start, 0, buf, k, n);
        int panels = (n + nr - 1) / nr;
        fast.packPanels(true, w, 0, k, n, buf, packed, 0, panels / 3);
        fast.packPanels(true, w, 0, k, n, buf, packed, panels / 3, panels);
        int split = Math.min(hidden, nr + 3);
        float[] before = buf.clone();
        fast.multiplyRow(k, buf, 0, packed, k, 0, split, gates, hidden, accumulate, bias, 0);
        for (int j = 0; j < n; j++) {
          boolean mine = j % hidden < split;
          assertWithMessage("column " + j + " after the first range").that(buf[k + j])
              .isEqualTo(mine ? whole[j] : before[k + j]);
        }
        fast.multiplyRow(k, buf, 0, packed, k, split, hidden, gates, hidden, accumulate, bias, 0);
        assertWithMessage("hidden " + hidden).that(Arrays.copyOfRange(buf, k, k + n)).isEqualTo(whole);
      }
    }
  }

  /**
   * One sequence (m = 1) takes its own path through the per-step product; it must give the bits
   * the same state gets as a row of a batch, and the product itself. Column counts leave ragged
   * panels and panel groups; k is no multiple of the vector length.
   */
  @Test
  void aBatchOfOneGetsTheBitsOfItsRowInABatch() {
    assertThat(fast.packsSteps()).isEqualTo(Vectorization.provider().name().startsWith("panama"));
    if (!fast.packsSteps()) {
      return; // the scalar twin has no packed product; the recurrent layer then runs the GEMM
    }
    int k = 37;
    for (int n : new int[] {20, 96, 1024 + 20}) {
      float[] w = gaussians(n * k);
      float[] bias = gaussians(n);
      float[] states = gaussians(9 * k); // row 0 is the single sequence's state
      for (boolean accumulate : new boolean[] {false, true}) {
        for (float[] b : new float[][] {null, bias}) {
          float[] start = gaussians(9 * n);
          float[] one = product(1, n, k, w, states, start, accumulate, b);
          float[] three = product(3, n, k, w, states, start, accumulate, b); // a ragged tile
          float[] nine = product(9, n, k, w, states, start, accumulate, b); // a full tile, then a ragged one
          assertThat(Arrays.copyOf(one, n)).isEqualTo(Arrays.copyOf(three, n));
          assertThat(Arrays.copyOf(one, n)).isEqualTo(Arrays.copyOf(nine, n));
          for (int j = 0; j < n; j++) {
            double expected = (accumulate ? start[j] : 0) + (b == null ? 0 : b[j]);
            for (int p = 0; p < k; p++) {
              expected += (double) states[p] * w[j * k + p];
            }
            assertThat((double) one[j]).isWithin(1e-5).of(expected);
          }
        }
      }
    }
  }

  private float[] gaussians(int n) {
    return Arrays.copyOfRange(RnnTestArrays.random(r, n, 1), RnnTestArrays.OFF, RnnTestArrays.OFF + n);
  }

  /** {@code C[m, n] (+)= states[m, k] · wᵀ (+ bias)} through the packed per-step product; C starts as {@code start}. */
  private float[] product(int m, int n, int k, float[] w, float[] states, float[] start, boolean accumulate,
      float[] bias) {
    int cOff = m * k;
    int packed = cOff + m * n;
    float[] buf = new float[packed + RecurrentCells.packedFloats(k, n)];
    System.arraycopy(states, 0, buf, 0, m * k);
    System.arraycopy(start, 0, buf, cOff, m * n);
    fast.pack(true, w, 0, k, n, buf, packed);
    fast.multiplyPacked(m, n, k, buf, 0, k, packed, cOff, n, accumulate, bias, 0);
    return Arrays.copyOfRange(buf, cOff, cOff + m * n);
  }
}

