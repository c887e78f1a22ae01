package io.kiln.runtime.onnx;

import static io.kiln.runtime.onnx.Attributes.i;
import static io.kiln.runtime.onnx.Attributes.ints;
import static io.kiln.runtime.onnx.Attributes.strings;

import io.kiln.dsl.Activation;
import io.kiln.runtime.onnx.OnnxProto.Attribute;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX's RNN, LSTM and GRU ops for Kiln's recurrent layers. Kiln keeps PyTorch's weights
 * ({@code weight_ih_l0 [G·H, in]}, gates stacked in PyTorch's order); ONNX wants
 * {@code W [1, G·H, in]} in its own gate order, biases as one {@code [1, 2·G·H]}, and time-major
 * sequences ({@code layout = 1} is not run by ONNX Runtime), so the graph splits, reorders,
 * stacks and transposes around the op.
 */
final class RecurrentNodes {
  /** PyTorch's tensors of one layer; biases may be null. */
  record Weights(String ih, String hh, String biasIh, String biasHh) {}

  /** PyTorch i, f, g, o → ONNX i, o, f, c. */
  private static final int[] LSTM_ORDER = {0, 3, 1, 2};
  /** PyTorch r, z, n → ONNX z, r, h. */
  private static final int[] GRU_ORDER = {1, 0, 2};
  private static final int[] RNN_ORDER = {0};

  private final OnnxGraph graph;
  /** Each layer's final state(s), {@code [1, batch, H]}: h, and c for an LSTM. */
  private final Map<String, List<String>> finalStates = new HashMap<>();

  RecurrentNodes(OnnxGraph graph) {
    this.graph = graph;
  }

  String rnn(String name, String x, Weights w, Activation activation, String initialStateOf, boolean returnSequences) {
    String act = switch (activation) {
      case TANH -> "Tanh";
      case RELU -> "Relu";
      default -> throw new IllegalArgumentException(name + ": an @Rnn activation is TANH or RELU, not " + activation);
    };
    return layer("RNN", RNN_ORDER, name, x, w, initialStateOf, returnSequences, List.of(strings("activations", act)));
  }

  String lstm(String name, String x, Weights w, String initialStateOf, boolean returnSequences) {
    return layer("LSTM", LSTM_ORDER, name, x, w, initialStateOf, returnSequences, List.of());
  }

  String gru(String name, String x, Weights w, String initialStateOf, boolean returnSequences) {
    return layer("GRU", GRU_ORDER, name, x, w, initialStateOf, returnSequences, List.of(i("linear_before_reset", 1)));
  }

  private String layer(String op, int[] order, String name, String x, Weights w, String initialStateOf, boolean returnSequences,
      List<Attribute> extra) {
    long hidden = graph.shape(w.hh())[1];
    List<String> in = new ArrayList<>(List.of(
        graph.op("Transpose", name + "/time_major", 3, List.of(ints("perm", 1, 0, 2)), x),
        stack(name + "/W", reorder(name + "/W", w.ih(), order)),
        stack(name + "/R", reorder(name + "/R", w.hh(), order)),
        w.biasIh() == null ? "" : stack(name + "/B", graph.op("Concat", name + "/B/joined", 1, List.of(i("axis", 0)),
            reorder(name + "/Wb", w.biasIh(), order), reorder(name + "/Rb", w.biasHh(), order))),
        ""));
    if (initialStateOf != null) {
      List<String> initial = finalStates.get(initialStateOf);
      if (initial == null) {
        throw new IllegalArgumentException(name + ": the initial state comes from '" + initialStateOf
            + "', which is not a recurrent layer added before it");
      }
      in.add(initial.get(0));
      if (op.equals("LSTM")) {
        if (initial.size() < 2) {
          throw new IllegalArgumentException(name + ": an LSTM's initial state needs h and c, but '" + initialStateOf + "' has no cell state");
        }
        in.add(initial.get(1));
      }
    }
    while (in.get(in.size() - 1).isEmpty()) {
      in.remove(in.size() - 1);
    }
    List<String> out = new ArrayList<>(List.of(name + "/Y", name + "/Y_h"));
    if (op.equals("LSTM")) {
      out.add(name + "/Y_c");
    }
    List<Attribute> attrs = new ArrayList<>(List.of(i("hidden_size", hidden)));
    attrs.addAll(extra);
    graph.op(op, name + "/" + op, out, attrs, in.toArray(String[]::new));
    graph.rank(name + "/Y", 4);
    out.subList(1, out.size()).forEach(s -> graph.rank(s, 3));
    finalStates.put(name, out.subList(1, out.size()));
    if (returnSequences) {
      // Y is [steps, 1, batch, H]: drop the direction axis, back to batch-first.
      String y = graph.op("Squeeze", name + "/Y_steps", 3, List.of(), name + "/Y", graph.int64s("const/axis1", 1));
      return graph.op("Transpose", name, 3, List.of(ints("perm", 1, 0, 2)), y);
    }
    return graph.op("Squeeze", name, 2, List.of(), name + "/Y_h", graph.int64s("const/axis0", 0));
  }

  /** The gate blocks of {@code tensor} (stacked on axis 0) in ONNX's order. */
  private String reorder(String name, String tensor, int[] order) {
    if (order.length == 1) {
      return tensor;
    }
    int rank = graph.shape(tensor).length;
    List<String> parts = new ArrayList<>();
    for (int g = 0; g < order.length; g++) {
      parts.add(name + "/gate" + g);
    }
    graph.op("Split", name + "/gates", parts, List.of(i("axis", 0)), tensor);
    parts.forEach(p -> graph.rank(p, rank));
    String[] reordered = new String[order.length];
    for (int g = 0; g < order.length; g++) {
      reordered[g] = parts.get(order[g]);
    }
    return graph.op("Concat", name + "/onnx_order", rank, List.of(i("axis", 0)), reordered);
  }

  /** Adds ONNX's leading direction axis (one direction). */
  private String stack(String name, String tensor) {
    return graph.op("Unsqueeze", name, graph.rank(tensor) + 1, List.of(), tensor, graph.int64s("const/axis0", 0));
  }
}
