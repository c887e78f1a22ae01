package io.kiln.runtime.onnx;

import static io.kiln.runtime.onnx.Attributes.i;
import static io.kiln.runtime.onnx.Attributes.ints;
import static io.kiln.runtime.onnx.Attributes.s;
import static io.kiln.runtime.onnx.Attributes.strings;

import io.kiln.dsl.Activation;
import io.kiln.runtime.onnx.OnnxProto.Attribute;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * ONNX's RNN, LSTM and GRU ops for Kiln's recurrent layers. Kiln keeps PyTorch's weights
 * ({@code weight_ih_l0 [G·H, in]}, gates stacked in PyTorch's order); ONNX wants
 * {@code W [1, G·H, in]} in its own gate order, biases as one {@code [1, 2·G·H]}, and time-major
 * sequences ({@code layout = 1} is not run by ONNX Runtime), so the graph splits, reorders,
 * stacks and transposes around the op.
 */
final class RecurrentNodes {
  /** PyTorch's tensors of one layer; biases may be null. */
  record Weights(String ih, String hh, String biasIh, String biasHh) {
    /** The reverse direction's: PyTorch's names with {@code _reverse}. */
    Weights reverse() {
      return new Weights(ih + "_reverse", hh + "_reverse", biasIh == null ? null : biasIh + "_reverse",
          biasHh == null ? null : biasHh + "_reverse");
    }
  }

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

  String rnn(String name, String x, Weights w, Activation activation, String initialStateOf, boolean returnSequences,
      boolean bidirectional) {
    String act = switch (activation) {
      case TANH -> "Tanh";
      case RELU -> "Relu";
      default -> throw new IllegalArgumentException(name + ": an @Rnn activation is TANH or RELU, not " + activation);
    };
    List<Attribute> activations = List.of(bidirectional ? strings("activations", act, act) : strings("activations", act));
    return layer("RNN", RNN_ORDER, name, x, w, initialStateOf, returnSequences, bidirectional, activations);
  }

  String lstm(String name, String x, Weights w, String initialStateOf, boolean returnSequences, boolean bidirectional) {
    return layer("LSTM", LSTM_ORDER, name, x, w, initialStateOf, returnSequences, bidirectional, List.of());
  }

  String gru(String name, String x, Weights w, String initialStateOf, boolean returnSequences, boolean bidirectional) {
    return layer("GRU", GRU_ORDER, name, x, w, initialStateOf, returnSequences, bidirectional, List.of(i("linear_before_reset", 1)));
  }

  private String layer(String op, int[] order, String name, String x, Weights w, String initialStateOf, boolean returnSequences,
      boolean bidirectional, List<Attribute> extra) {
    long hidden = graph.shape(w.hh())[1];
    List<String> in = new ArrayList<>(List.of(
        graph.op("Transpose", name + "/time_major", 3, List.of(ints("perm", 1, 0, 2)), x),
        directions(name + "/W", bidirectional, p -> reorder(p, w.ih(), order), p -> reorder(p, w.reverse().ih(), order)),
        directions(name + "/R", bidirectional, p -> reorder(p, w.hh(), order), p -> reorder(p, w.reverse().hh(), order)),
        w.biasIh() == null ? "" : directions(name + "/B", bidirectional, p -> joinedBias(p, w, order), p -> joinedBias(p, w.reverse(), order)),
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
    if (bidirectional) {
      attrs.add(s("direction", "bidirectional"));
    }
    attrs.addAll(extra);
    graph.op(op, name + "/" + op, out, attrs, in.toArray(String[]::new));
    graph.rank(name + "/Y", 4);
    out.subList(1, out.size()).forEach(s -> graph.rank(s, 3));
    finalStates.put(name, out.subList(1, out.size()));
    if (bidirectional) {
      // Y [steps, 2, batch, H] → [batch, steps, 2, H] → [batch, steps, 2·H]; Y_h [2, batch, H] → [batch, 2·H]:
      // forward then reverse features, PyTorch's layout.
      return returnSequences
          ? graph.op("Reshape", name, 3, List.of(), graph.op("Transpose", name + "/Y_batch_major", 4, List.of(ints("perm", 2, 0, 1, 3)),
              name + "/Y"), graph.int64s("const/keep2_join", 0, 0, -1))
          : graph.op("Reshape", name, 2, List.of(), graph.op("Transpose", name + "/Y_h_batch_major", 3, List.of(ints("perm", 1, 0, 2)),
              name + "/Y_h"), graph.int64s("const/keep1_join", 0, -1));
    }
    if (returnSequences) {
      // Y is [steps, 1, batch, H]: drop the direction axis, back to batch-first.
      String y = graph.op("Squeeze", name + "/Y_steps", 3, List.of(), name + "/Y", graph.int64s("const/axis1", 1));
      return graph.op("Transpose", name, 3, List.of(ints("perm", 1, 0, 2)), y);
    }
    return graph.op("Squeeze", name, 2, List.of(), name + "/Y_h", graph.int64s("const/axis0", 0));
  }

  /** ONNX's {@code [Wb, Rb]} bias of one direction. */
  private String joinedBias(String name, Weights w, int[] order) {
    return graph.op("Concat", name + "/joined", 1, List.of(i("axis", 0)), reorder(name + "/Wb", w.biasIh(), order),
        reorder(name + "/Rb", w.biasHh(), order));
  }

  /** One direction's tensor, or the forward and reverse ones stacked, on ONNX's leading direction axis. */
  private String directions(String name, boolean bidirectional, Function<String, String> forward, Function<String, String> reverse) {
    if (!bidirectional) {
      return stack(name, forward.apply(name));
    }
    String f = stack(name + "/forward", forward.apply(name));
    String r = stack(name + "/reverse", reverse.apply(name + "_reverse"));
    return graph.op("Concat", name, graph.rank(f), List.of(i("axis", 0)), f, r);
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
