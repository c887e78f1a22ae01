package io.kiln.runtime.rnn;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.runtime.rnn.RnnTestArrays.OFF;
import static io.kiln.runtime.rnn.RnnTestArrays.assertClose;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The fast recurrent kernels against {@link RecurrentReference} over kinds, shapes, states, biases. */
class RecurrentTest {
  private static final int[][] SIZES = {{1, 1}, {3, 5}, {17, 3}, {5, 17}, {4, 16}};
  private static final double FORWARD_TOL = 2e-5;
  private static final double BACKWARD_TOL = 1e-4;

  @ParameterizedTest
  @EnumSource(CellKind.class)
  void fastMatchesReference(CellKind kind) {
    int cases = 0;
    for (int[] size : SIZES) {
      for (int batch : new int[] {1, 3}) {
        for (int steps : new int[] {1, 2, 7}) {
          for (boolean state : new boolean[] {false, true}) {
            for (boolean bias : new boolean[] {false, true}) {
              check(new RecurrentGeometry(kind, size[0], size[1]), batch, steps, state, bias);
              cases++;
            }
          }
        }
      }
    }
    assertThat(cases).isEqualTo(SIZES.length * 2 * 3 * 2 * 2);
  }

  private static void check(RecurrentGeometry g, int batch, int steps, boolean state, boolean bias) {
    String what = g + " batch " + batch + " steps " + steps + (state ? " with" : " without") + " state,"
        + (bias ? " with" : " without") + " bias: ";
    RnnFixture fast = new RnnFixture(g, batch, steps, state, bias, 31L * steps + batch + g.hidden());
    // variations: only the final state used (no y, no dy), and no dy with y
    boolean finalOnly = steps == 2 && batch == 1;
    boolean noDy = steps == 7 && batch == 3 && !bias;
    if (finalOnly) {
      fast.y = null;
      fast.dy = null;
    }
    if (noDy) {
      fast.dy = null;
    }
    RnnFixture ref = RnnFixture.copyOf(fast);
    fast.forward();
    ref.referenceForward();
    assertClose(what + "y", ref.y, fast.y, FORWARD_TOL * steps);
    assertClose(what + "hT", ref.hT, fast.hT, FORWARD_TOL * steps);
    assertClose(what + "cT", ref.cT, fast.cT, FORWARD_TOL * steps);
    fast.backward();
    ref.referenceBackward();
    double tol = BACKWARD_TOL * steps;
    assertClose(what + "dx", ref.dx, fast.dx, tol);
    assertClose(what + "dh0", ref.dh0, fast.dh0, tol);
    assertClose(what + "dc0", ref.dc0, fast.dc0, tol);
    assertClose(what + "dWIh", ref.dWIh, fast.dWIh, tol);
    assertClose(what + "dWHh", ref.dWHh, fast.dWHh, tol);
    assertClose(what + "dBIh", ref.dBIh, fast.dBIh, tol);
    assertClose(what + "dBHh", ref.dBHh, fast.dBHh, tol);
  }

  @ParameterizedTest
  @EnumSource(CellKind.class)
  void workspaceTooSmallAndMissingOutputsAreRejected(CellKind kind) {
    RecurrentGeometry g = new RecurrentGeometry(kind, 3, 4);
    RnnFixture f = new RnnFixture(g, 2, 3, true, true, 1);
    float[] small = new float[g.workspaceFloats(2, 3) - 1];
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> Recurrent.forward(g, 2, 3, f.x, OFF, f.wIh, OFF, f.wHh, OFF, f.bIh, OFF, f.bHh, OFF, f.h0, OFF, f.c0,
            OFF, f.y, OFF, f.hT, OFF, f.cT, OFF, small, 0));
    assertThat(e).hasMessageThat().contains("workspace");
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> Recurrent.forward(g, 2, 3, f.x, OFF, f.wIh, OFF, f.wHh, OFF, f.bIh, OFF, f.bHh, OFF, f.h0, OFF, f.c0,
            OFF, null, 0, null, 0, f.cT, OFF, f.workspace, OFF));
    assertThat(none).hasMessageThat().contains("y or hT");
  }

  @Test
  void shorterSequencesFitTheMaximumPlan() {
    // a workspace planned for T = 9 serves T = 4, with the same results as a tight one
    RecurrentGeometry g = new RecurrentGeometry(CellKind.LSTM, 5, 6);
    RnnFixture tight = new RnnFixture(g, 2, 4, true, true, 9);
    RnnFixture roomy = RnnFixture.copyOf(tight);
    float[] big = new float[g.workspaceFloats(2, 9) + 2 * OFF];
    float[] bigScratch = new float[g.backwardScratchFloats(2, 9) + 2 * OFF];
    Arrays.fill(big, Float.NaN);
    Arrays.fill(bigScratch, Float.NaN);
    tight.forward();
    tight.backward();
    Recurrent.forward(g, 2, 4, roomy.x, OFF, roomy.wIh, OFF, roomy.wHh, OFF, roomy.bIh, OFF, roomy.bHh, OFF,
        roomy.h0, OFF, roomy.c0, OFF, roomy.y, OFF, roomy.hT, OFF, roomy.cT, OFF, big, OFF);
    Recurrent.backward(g, 2, 4, roomy.x, OFF, roomy.wIh, OFF, roomy.wHh, OFF, roomy.h0, OFF, roomy.c0, OFF,
        roomy.dy, OFF, roomy.dhT, OFF, roomy.dcT, OFF, roomy.dx, OFF, roomy.accumulateDx, roomy.dh0, OFF,
        roomy.dc0, OFF, roomy.dWIh, OFF, roomy.dWHh, OFF, roomy.dBIh, OFF, roomy.dBHh, OFF, big, OFF,
        bigScratch, OFF);
    assertThat(roomy.y).isEqualTo(tight.y);
    assertThat(roomy.dWHh).isEqualTo(tight.dWHh);
    assertThat(roomy.dx).isEqualTo(tight.dx);
  }

  @Test
  void geometrySizes() {
    RecurrentGeometry lstm = new RecurrentGeometry(CellKind.LSTM, 64, 256);
    assertThat(lstm.gateWidth()).isEqualTo(1024);
    assertThat(lstm.weightIhSize()).isEqualTo(1024 * 64);
    assertThat(lstm.weightHhSize()).isEqualTo(1024 * 256);
    assertThat(lstm.biasSize()).isEqualTo(1024);
    assertThat(lstm.workspaceFloats(32, 64)).isEqualTo(32 * 64 * 6 * 256 + 1024 * 256);
    assertThat(lstm.workspaceFloats(32, 64)).isEqualTo(3_407_872);
    assertThat(lstm.backwardScratchFloats(32, 64)).isEqualTo(32 * 64 * 4 * 256 + 2 * 32 * 256 + 256 * 1024);
    assertThat(lstm.backwardScratchFloats(32, 64)).isEqualTo(2_375_680);
    RecurrentGeometry gru = new RecurrentGeometry(CellKind.GRU, 3, 5);
    assertThat(gru.workspaceFloats(2, 7)).isEqualTo(2 * 7 * 5 * 5 + 2 * 15 + 64 * 5);
    assertThat(gru.backwardScratchFloats(2, 7)).isEqualTo(2 * 7 * 4 * 5 + 2 * 5 + 64 * 15);
    RecurrentGeometry rnn = new RecurrentGeometry(CellKind.RNN_RELU, 3, 5);
    assertThat(rnn.workspaceFloats(2, 7)).isEqualTo(2 * 7 * 2 * 5 + 64 * 5);
    assertThat(rnn.backwardScratchFloats(2, 7)).isEqualTo(2 * 7 * 5 + 2 * 5 + 64 * 5);
    assertThat(CellKind.RNN_TANH.gates()).isEqualTo(1);
    assertThat(CellKind.GRU.gates()).isEqualTo(3);
    assertThrows(IllegalArgumentException.class, () -> new RecurrentGeometry(CellKind.GRU, 0, 5));
  }
}
