package io.kiln.runtime.onnx;

import io.kiln.runtime.onnx.OnnxProto.Attribute;
import io.kiln.runtime.onnx.OnnxProto.Node;
import io.kiln.runtime.onnx.OnnxProto.Tensor;
import io.kiln.runtime.onnx.OnnxProto.ValueInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph under construction: nodes in the order added, initializers by name, inputs and
 * outputs, and the rank of every value (the layer builders choose ops by it). Layer-level methods
 * live in {@link OnnxModelBuilder}; this class knows ONNX, not Kiln.
 */
final class OnnxGraph {
  /** ONNX's IR version 8 and opset 17: the newest Debian's python3-onnx 1.12 checks, and ONNX Runtime runs. */
  static final long IR_VERSION = 8;
  static final long OPSET = 17;

  private final String name;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Tensor> initializers = new LinkedHashMap<>();
  private final List<ValueInfo> inputs = new ArrayList<>();
  private final List<ValueInfo> outputs = new ArrayList<>();
  private final Map<String, Integer> ranks = new HashMap<>();
  private final Map<String, long[]> shapes = new HashMap<>();

  OnnxGraph(String name) {
    this.name = name;
  }

  /** A float initializer (a weight) of the given shape. */
  void floatInitializer(String name, int[] shape, float[] values) {
    ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    long[] dims = Arrays.stream(shape).asLongStream().toArray();
    addInitializer(new Tensor(name, OnnxProto.FLOAT, dims, raw.array()));
  }

  /** A 1-D int64 initializer, e.g. axes or a target shape; reused when one of that name exists. */
  String int64s(String name, long... values) {
    if (!initializers.containsKey(name)) {
      ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      raw.asLongBuffer().put(values);
      addInitializer(new Tensor(name, OnnxProto.INT64, new long[] {values.length}, raw.array()));
    }
    return name;
  }

  /** A 0-D int64 initializer, e.g. Trilu's {@code k}. */
  String int64Scalar(String name, long value) {
    if (!initializers.containsKey(name)) {
      ByteBuffer raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
      addInitializer(new Tensor(name, OnnxProto.INT64, new long[0], raw.array()));
    }
    return name;
  }

  /** A float scalar constant, shared by value. */
  String scalar(float value) {
    String n = "const/" + Float.toString(value);
    if (!initializers.containsKey(n)) {
      ByteBuffer raw = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
      addInitializer(new Tensor(n, OnnxProto.FLOAT, new long[0], raw.array()));
    }
    return n;
  }

  private void addInitializer(Tensor t) {
    if (initializers.putIfAbsent(t.name(), t) != null) {
      throw new IllegalArgumentException("two initializers named '" + t.name() + "'");
    }
    shapes.put(t.name(), t.dims());
    ranks.put(t.name(), t.dims().length);
  }

  /** The shape of an initializer. */
  long[] shape(String initializer) {
    long[] s = shapes.get(initializer);
    if (s == null) {
      throw new IllegalArgumentException("no initializer named '" + initializer + "'; the model's tensors are " + initializers.keySet());
    }
    return s.clone();
  }

  void input(String name, int elemType, List<Object> dims) {
    inputs.add(new ValueInfo(name, elemType, dims));
    ranks.put(name, dims.size());
  }

  void output(String name, List<Object> dims) {
    outputs.add(new ValueInfo(name, OnnxProto.FLOAT, dims));
  }

  /** Adds {@code opType(inputs) → output} (named after its output) and returns the output's name; its rank is {@code rank}. */
  String op(String opType, String output, int rank, List<Attribute> attributes, String... inputs) {
    requireKnown(inputs);
    nodes.add(new Node(opType, output, List.of(inputs), List.of(output), List.copyOf(attributes)));
    ranks.put(output, rank);
    return output;
  }

  /** An op with several outputs, named {@code name}. */
  void op(String opType, String name, List<String> outputs, List<Attribute> attributes, String... inputs) {
    requireKnown(inputs);
    nodes.add(new Node(opType, name, List.of(inputs), List.copyOf(outputs), List.copyOf(attributes)));
  }

  /** Every input (but an omitted optional one, "") is an input, an initializer or an earlier node's output. */
  private void requireKnown(String... inputs) {
    for (String in : inputs) {
      if (!in.isEmpty()) {
        rank(in);
      }
    }
  }

  void rank(String value, int rank) {
    ranks.put(value, rank);
  }

  int rank(String value) {
    Integer r = ranks.get(value);
    if (r == null) {
      throw new IllegalArgumentException("no value named '" + value + "' in the graph yet; add the node that computes it first");
    }
    return r;
  }

  byte[] encode(String producerVersion) {
    if (outputs.isEmpty()) {
      throw new IllegalStateException(name + ": the ONNX graph has no output");
    }
    ProtoWriter graph = OnnxProto.graph(name, nodes, List.copyOf(initializers.values()), inputs, outputs);
    return OnnxProto.model(IR_VERSION, "kiln", producerVersion, graph, OPSET).toByteArray();
  }
}
