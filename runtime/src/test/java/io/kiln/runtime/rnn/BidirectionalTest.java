package io.kiln.runtime.rnn;

import static io.kiln.runtime.rnn.RnnTestArrays.OFF;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.At;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A bidirectional layer's output is a plain layer's over the sequence next to a second plain layer's
 * (the reverse weights) over the time-reversed sequence, put back in step order; its last states are
 * the two layers' final states side by side. (Its gradients are checked by finite differences and
 * against PyTorch in the tests module.)
 */
class BidirectionalTest {
  private static final int BATCH = 2;
  private static final int STEPS = 4;
  private static final int MAX_STEPS = 6;

  @ParameterizedTest
  @EnumSource(CellKind.class)
  void everyStepIsBothDirectionsSideBySide(CellKind kind) {
    RecurrentGeometry g = new RecurrentGeometry(kind, 3, 5);
    int h = g.hidden();
    RnnFixture forward = new RnnFixture(g, BATCH, STEPS, false, true, 41);
    RnnFixture reverse = new RnnFixture(g, BATCH, STEPS, false, true, 42);
    float[] forwardY = plain(g, forward, forward.x, OFF, true);
    float[] reversedX = new float[g.inputSize(BATCH, STEPS)];
    TimeReversal.reverse(BATCH, STEPS, g.input(), forward.x, OFF, reversedX, 0);
    float[] reverseY = plain(g, reverse, reversedX, 0, true);

    float[] y = new float[BATCH * STEPS * 2 * h];
    bidirectional(g, forward, reverse, new At(y, 0), At.NONE).forward(BATCH, STEPS, forward.x, OFF);

    float[] expected = new float[y.length];
    for (int b = 0; b < BATCH; b++) {
      for (int t = 0; t < STEPS; t++) {
        System.arraycopy(forwardY, (b * STEPS + t) * h, expected, (b * STEPS + t) * 2 * h, h);
        System.arraycopy(reverseY, (b * STEPS + STEPS - 1 - t) * h, expected, (b * STEPS + t) * 2 * h + h, h);
      }
    }
    assertArrayEquals(expected, y);
  }

  @ParameterizedTest
  @EnumSource(CellKind.class)
  void lastStatesAreBothDirectionsFinalStates(CellKind kind) {
    RecurrentGeometry g = new RecurrentGeometry(kind, 3, 5);
    int h = g.hidden();
    RnnFixture forward = new RnnFixture(g, BATCH, STEPS, false, false, 43);
    RnnFixture reverse = new RnnFixture(g, BATCH, STEPS, false, false, 44);
    float[] forwardH = plain(g, forward, forward.x, OFF, false);
    float[] reversedX = new float[g.inputSize(BATCH, STEPS)];
    TimeReversal.reverse(BATCH, STEPS, g.input(), forward.x, OFF, reversedX, 0);
    float[] reverseH = plain(g, reverse, reversedX, 0, false);

    float[] last = new float[BATCH * 2 * h];
    bidirectional(g, forward, reverse, At.NONE, new At(last, 0)).forward(BATCH, STEPS, forward.x, OFF);

    float[] expected = new float[last.length];
    for (int b = 0; b < BATCH; b++) {
      System.arraycopy(forwardH, b * h, expected, b * 2 * h, h);
      System.arraycopy(reverseH, b * h, expected, b * 2 * h + h, h);
    }
    assertArrayEquals(expected, last);
  }

  @ParameterizedTest
  @EnumSource(value = CellKind.class, names = "LSTM")
  void aStateHandedInOrOutIsRefused(CellKind kind) {
    RecurrentGeometry g = new RecurrentGeometry(kind, 3, 5);
    RnnFixture f = new RnnFixture(g, BATCH, STEPS, true, false, 45);
    At w = new At(f.wIh, OFF);
    At u = new At(f.wHh, OFF);
    assertThrows(IllegalArgumentException.class, () -> RecurrentLayer.of(g).weights(w, u).reverse(w, u, At.NONE, At.NONE, BATCH, MAX_STEPS)
        .initialState(new At(f.h0, OFF), new At(f.c0, OFF)).output(new At(f.y, OFF), At.NONE, At.NONE).workspace(f.workspace).build());
    assertThrows(IllegalArgumentException.class, () -> RecurrentLayer.of(g).weights(w, u).reverse(w, u, At.NONE, At.NONE, BATCH, MAX_STEPS)
        .output(new At(f.y, OFF), new At(f.hT, OFF), new At(f.cT, OFF)).workspace(f.workspace).build());
  }

  /** A one-directional layer with {@code f}'s weights over {@code x}: every step's output, or the final state. */
  private static float[] plain(RecurrentGeometry g, RnnFixture f, float[] x, int xOff, boolean sequences) {
    float[] out = new float[sequences ? g.outputSize(BATCH, STEPS) : g.stateSize(BATCH)];
    At o = new At(out, 0);
    RecurrentLayer.of(g).weights(new At(f.wIh, OFF), new At(f.wHh, OFF)).biases(bias(f.bIh), bias(f.bHh))
        .output(sequences ? o : At.NONE, sequences ? At.NONE : o, At.NONE).workspace(new float[g.workspaceFloats(BATCH, STEPS)]).build()
        .forward(BATCH, STEPS, x, xOff);
    return out;
  }

  private static RecurrentLayer bidirectional(RecurrentGeometry g, RnnFixture forward, RnnFixture reverse, At y, At last) {
    return RecurrentLayer.of(g).weights(new At(forward.wIh, OFF), new At(forward.wHh, OFF)).biases(bias(forward.bIh), bias(forward.bHh))
        .reverse(new At(reverse.wIh, OFF), new At(reverse.wHh, OFF), bias(reverse.bIh), bias(reverse.bHh), BATCH, MAX_STEPS)
        .output(y, last, At.NONE).workspace(new float[g.workspaceFloats(BATCH, MAX_STEPS)]).build();
  }

  private static At bias(float[] b) {
    return b == null ? At.NONE : new At(b, OFF);
  }
}
