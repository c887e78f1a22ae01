package io.kiln.runtime.introspect;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.rnn.CellKind;
import io.kiln.runtime.rnn.RecurrentGeometry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The probes' bookkeeping on hand-made values: gate layout, statistics, saturation rules, lookups. */
class NodeProbeTest {
  @Test
  void gatesAreReadFromTheWorkspaceLayoutBatchStepGateUnit() {
    RecurrentGeometry g = new RecurrentGeometry(CellKind.LSTM, 3, 2); // 4 gates × 2 units per row
    NodeProbe probe = NodeProbe.recurrent("l", Saturation.NONE, g, 2, 3);
    int batch = 2;
    int steps = 3;
    float[] workspace = new float[batch * steps * 8 + 5];
    for (int i = 0; i < batch * steps * 8; i++) {
      workspace[i] = i / 100f; // value = ((b·steps + t)·8 + gate·2 + unit) / 100
    }
    probe.recordGates(workspace, batch, steps);
    GateActivations gates = probe.gates().orElseThrow();
    assertThat(gates.names()).containsExactly("i", "f", "g", "o").inOrder();
    assertThat(gates.get(gates.index("o"), 1, 2, 1)).isEqualTo(((1 * 3 + 2) * 8 + 3 * 2 + 1) / 100f);
    assertThat(gates.matrix(1, 0)).usingExactEquality().containsExactly(0.02f, 0.03f, 0.10f, 0.11f, 0.18f, 0.19f).inOrder();
    assertThat(gates.saturation(2)).isEqualTo(Saturation.TANH);
    assertThat(gates.saturation(1)).isEqualTo(Saturation.SIGMOID);
    // f over both samples: 0.02, 0.03, 0.10, 0.11, 0.18, 0.19, 0.26, 0.27, 0.34, 0.35, 0.42, 0.43; sigmoid-saturated: < 0.01 or > 0.99
    assertThat(gates.mean(1)).isWithin(1e-6).of(2.7 / 12);
    assertThat(gates.saturatedFraction(1)).isEqualTo(0.0);
    assertThrows(IndexOutOfBoundsException.class, () -> gates.get(0, 2, 0, 0));
    var e = assertThrows(IllegalArgumentException.class, () -> gates.index("z"));
    assertThat(e).hasMessageThat().contains("a LSTM has i, f, g, o");
  }

  @Test
  void statisticsAndSaturationFollowTheDocumentedRules() {
    NodeProbe sigmoid = NodeProbe.of("s", Saturation.SIGMOID);
    sigmoid.recordActivations(new float[] {9, 0.005f, 0.5f, 0.995f, 0f}, 1, 4);
    assertThat(sigmoid.mean()).isWithin(1e-6).of((0.005 + 0.5 + 0.995 + 0) / 4);
    assertThat(sigmoid.zeroFraction()).isEqualTo(0.25);
    assertThat(sigmoid.saturatedFraction()).isEqualTo(0.75); // 0.005, 0.995 and 0
    NodeProbe tanh = NodeProbe.of("t", Saturation.TANH);
    tanh.recordActivations(new float[] {-0.995f, 0.99f, 1f, 0.1f}, 0, 4);
    assertThat(tanh.saturatedFraction()).isEqualTo(0.5); // 0.99 itself is not beyond the limit
    assertThat(tanh.std()).isGreaterThan(0.0);
    NodeProbe relu = NodeProbe.of("r", Saturation.NONE);
    relu.recordOutputGradient(new float[] {3, 4}, 0, 2);
    assertThat(relu.outputGradientNorm()).isEqualTo(5.0);
    assertThat(relu.saturatedFraction()).isNaN();
    assertThat(relu.gates()).isEmpty();
    assertThrows(IllegalStateException.class, relu::stepGradientNorms);
  }

  @Test
  void lookupsNameWhatExists() {
    Introspection view = new Introspection("Net", List.of(NodeProbe.of("a", Saturation.NONE),
        NodeProbe.recurrent("l", Saturation.NONE, new RecurrentGeometry(CellKind.GRU, 2, 2), 1, 1)));
    var unknown = assertThrows(IllegalArgumentException.class, () -> view.node("b"));
    assertThat(unknown).hasMessageThat().isEqualTo("Net records no node 'b'; the probed nodes are a, l");
    var noGates = assertThrows(IllegalArgumentException.class, () -> view.gates("a"));
    assertThat(noGates).hasMessageThat().contains("LSTM and GRU layers do (l)");
    assertThat(view.gates("l").names()).containsExactly("r", "z", "n").inOrder();
    assertThat(view.table()).contains("‖∂L/∂out‖");
  }
}
