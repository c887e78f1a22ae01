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

  private static At at(float[] array) {
    return array == null ? At.NONE : new At(array, OFF);
  }
}
