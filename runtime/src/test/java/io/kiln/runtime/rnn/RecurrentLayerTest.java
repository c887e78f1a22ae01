package io.kiln.runtime.rnn;

import static io.kiln.runtime.rnn.RnnTestArrays.OFF;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.At;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A layer object built once computes exactly what the positional {@link Recurrent} calls compute. */
class RecurrentLayerTest {

  @ParameterizedTest
  @EnumSource(CellKind.class)
  void forwardAndBackwardMatchThePositionalCalls(CellKind kind) {
    RecurrentGeometry g = new RecurrentGeometry(kind, 3, 5);
    RnnFixture expected = new RnnFixture(g, 2, 4, true, true, 23);
    RnnFixture actual = RnnFixture.copyOf(expected);
    expected.forward();
    expected.backward();

    RecurrentLayer layer = RecurrentLayer.of(g)
        .weights(new At(actual.wIh, OFF), new At(actual.wHh, OFF))
        .biases(new At(actual.bIh, OFF), new At(actual.bHh, OFF))
        .initialState(new At(actual.h0, OFF), at(actual.c0))
        .output(new At(actual.y, OFF), new At(actual.hT, OFF), at(actual.cT))
        .workspace(actual.workspace)
        .outputGradients(new At(actual.dy, OFF), new At(actual.dhT, OFF), at(actual.dcT))
        .inputGradient(new At(actual.dx, OFF), actual.accumulateDx)
        .initialStateGradients(new At(actual.dh0, OFF), at(actual.dc0))
        .weightGradients(new At(actual.dWIh, OFF), new At(actual.dWHh, OFF))
        .biasGradients(new At(actual.dBIh, OFF), new At(actual.dBHh, OFF))
        .scratch(actual.scratch)
        .build();
    layer.forward(2, 4, actual.x, OFF);
    layer.backward(2, 4, actual.x, OFF);

    assertArrayEquals(expected.y, actual.y);
    assertArrayEquals(expected.hT, actual.hT);
    assertArrayEquals(expected.dx, actual.dx);
    assertArrayEquals(expected.dh0, actual.dh0);
    assertArrayEquals(expected.dWIh, actual.dWIh);
    assertArrayEquals(expected.dWHh, actual.dWHh);
    assertArrayEquals(expected.dBIh, actual.dBIh);
    assertArrayEquals(expected.dBHh, actual.dBHh);
    if (kind == CellKind.LSTM) {
      assertArrayEquals(expected.cT, actual.cT);
      assertArrayEquals(expected.dc0, actual.dc0);
    }
  }

  @ParameterizedTest
  @EnumSource(value = CellKind.class, names = "GRU")
  void anInferenceOnlyLayerRefusesBackward(CellKind kind) {
    RecurrentGeometry g = new RecurrentGeometry(kind, 3, 5);
    RnnFixture f = new RnnFixture(g, 2, 4, false, false, 5);
    RecurrentLayer layer = RecurrentLayer.of(g).weights(new At(f.wIh, OFF), new At(f.wHh, OFF))
        .output(new At(f.y, OFF), At.NONE, At.NONE).workspace(f.workspace).build();
    layer.forward(2, 4, f.x, OFF);
    assertThrows(IllegalStateException.class, () -> layer.backward(2, 4, f.x, OFF));
  }

  /**
   * An input that is an embedding lookup: with more positions than table rows the layer projects the
   * table's rows and copies them per position; outputs, final states and every gradient keep the
   * bits of projecting the input itself.
   */
  @ParameterizedTest
  @EnumSource(CellKind.class)
  void anEmbeddedInputGivesTheBitsOfProjectingTheInput(CellKind kind) {
    int batch = 3, steps = 5, vocab = 7, in = 6, hidden = 5;
    RecurrentGeometry g = new RecurrentGeometry(kind, in, hidden);
    java.util.Random r = new java.util.Random(kind.ordinal());
    float[] table = gaussian(r, vocab * in);
    int[] tokens = new int[batch * steps];
    for (int p = 0; p < tokens.length; p++) {
      tokens[p] = r.nextInt(vocab);
    }
    float[] x = new float[batch * steps * in];
    Embedding.forward("tokens", batch, steps, vocab, in, tokens, 0, table, 0, x, 0);
    float[][] results = new float[2][];
    for (int variant = 0; variant < 2; variant++) {
      r = new java.util.Random(1);
      float[] wIh = gaussian(r, g.weightIhSize());
      float[] wHh = gaussian(r, g.weightHhSize());
      float[] bIh = gaussian(r, g.gateWidth());
      float[] bHh = gaussian(r, g.gateWidth());
      float[] y = new float[batch * steps * hidden];
      float[] hT = new float[batch * hidden];
      float[] dy = gaussian(r, y.length);
      float[] dx = new float[x.length];
      float[] dWIh = new float[wIh.length];
      float[] dWHh = new float[wHh.length];
      float[] dBIh = new float[bIh.length];
      RecurrentLayer.Builder b = RecurrentLayer.of(g).weights(new At(wIh, 0), new At(wHh, 0))
          .biases(new At(bIh, 0), new At(bHh, 0)).output(new At(y, 0), new At(hT, 0), At.NONE)
          .workspace(new float[g.workspaceFloats(batch, steps)]).outputGradients(new At(dy, 0), At.NONE, At.NONE)
          .inputGradient(new At(dx, 0), false).weightGradients(new At(dWIh, 0), new At(dWHh, 0))
          .biasGradients(new At(dBIh, 0), new At(new float[bHh.length], 0))
          .scratch(new float[g.backwardScratchFloats(batch, steps)]);
      RecurrentLayer layer = variant == 0 ? b.build() : b.embedding(new At(table, 0), vocab).build();
      if (variant == 0) {
        layer.forward(batch, steps, x, 0);
      } else {
        layer.forward(batch, steps, x, 0, tokens, 0);
      }
      layer.backward(batch, steps, x, 0);
      results[variant] = concat(y, hT, dx, dWIh, dWHh, dBIh);
    }
    assertArrayEquals(results[0], results[1]);
  }

  @ParameterizedTest
  @EnumSource(value = CellKind.class, names = "LSTM")
  void aTokenOutsideTheTableIsRefused(CellKind kind) {
    RecurrentGeometry g = new RecurrentGeometry(kind, 2, 3);
    RecurrentLayer layer = RecurrentLayer.of(g).weights(new At(new float[g.weightIhSize()], 0),
            new At(new float[g.weightHhSize()], 0)).output(new At(new float[2 * 4 * 3], 0), At.NONE, At.NONE)
        .workspace(new float[g.workspaceFloats(2, 4)]).embedding(new At(new float[3 * 2], 0), 3).build();
    int[] tokens = {0, 1, 2, 0, 1, 3, 0, 1};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> layer.forward(2, 4, new float[2 * 4 * 2], 0, tokens, 0));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("id 3 at [1, 1] is outside [0, 3)"), e.getMessage());
  }

  private static float[] gaussian(java.util.Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextGaussian() * 0.5);
    }
    return a;
  }

  private static float[] concat(float[]... parts) {
    int n = 0;
    for (float[] a : parts) {
      n += a.length;
    }
    float[] all = new float[n];
    int at = 0;
    for (float[] a : parts) {
      System.arraycopy(a, 0, all, at, a.length);
      at += a.length;
    }
    return all;
  }

  private static At at(float[] array) {
    return array == null ? At.NONE : new At(array, OFF);
  }
}
