package io.kiln.runtime.onnx;

import java.util.List;

/**
 * The messages of {@code onnx.proto} an exported Kiln model uses, encoded field by field in
 * field-number order (as protobuf's serializers write them). Field numbers are {@code onnx.proto}'s.
 */
final class OnnxProto {
  /** {@code TensorProto.DataType}. */
  static final int FLOAT = 1;
  static final int INT64 = 7;

  private OnnxProto() {}

  /** An attribute of a node: {@code AttributeProto}. */
  sealed interface Attribute {
    String name();
  }

  record IntAttribute(String name, long value) implements Attribute {}

  record FloatAttribute(String name, float value) implements Attribute {}

  record IntsAttribute(String name, long... values) implements Attribute {}

  record StringsAttribute(String name, String... values) implements Attribute {}

  record StringAttribute(String name, String value) implements Attribute {}

  record TensorAttribute(String name, Tensor value) implements Attribute {}

  /** A node: {@code NodeProto}; an empty input name is an omitted optional input. */
  record Node(String opType, String name, List<String> inputs, List<String> outputs, List<Attribute> attributes) {}

  /** A tensor with its data as little-endian bytes: {@code TensorProto} with {@code raw_data}. */
  record Tensor(String name, int dataType, long[] dims, byte[] raw) {}

  /** A graph input or output: {@code ValueInfoProto} of a tensor; a dimension is a size (Integer) or a name (String). */
  record ValueInfo(String name, int elemType, List<Object> dims) {}

  static ProtoWriter model(long irVersion, String producer, String producerVersion, ProtoWriter graph, long opset) {
    return new ProtoWriter()
        .varint(1, irVersion)
        .string(2, producer)
        .string(3, producerVersion)
        .message(7, graph)
        .message(8, new ProtoWriter().string(1, "").varint(2, opset));
  }

  static ProtoWriter graph(String name, List<Node> nodes, List<Tensor> initializers, List<ValueInfo> inputs, List<ValueInfo> outputs) {
    ProtoWriter g = new ProtoWriter();
    nodes.forEach(n -> g.message(1, node(n)));
    g.string(2, name);
    initializers.forEach(t -> g.message(5, tensor(t)));
    inputs.forEach(v -> g.message(11, valueInfo(v)));
    outputs.forEach(v -> g.message(12, valueInfo(v)));
    return g;
  }

  static ProtoWriter node(Node n) {
    ProtoWriter w = new ProtoWriter();
    n.inputs().forEach(i -> w.string(1, i));
    n.outputs().forEach(o -> w.string(2, o));
    w.string(3, n.name()).string(4, n.opType());
    n.attributes().forEach(a -> w.message(5, attribute(a)));
    return w;
  }

  /** {@code AttributeProto}: name (1), the value (f 2, i 3, s 4, t 5, ints 8, strings 9), type (20). */
  static ProtoWriter attribute(Attribute a) {
    ProtoWriter w = new ProtoWriter().string(1, a.name());
    int type = switch (a) {
      case FloatAttribute f -> {
        w.float32(2, f.value());
        yield 1;
      }
      case IntAttribute i -> {
        w.varint(3, i.value());
        yield 2;
      }
      case TensorAttribute t -> {
        w.message(5, tensor(t.value()));
        yield 4;
      }
      case IntsAttribute is -> {
        for (long v : is.values()) {
          w.varint(8, v);
        }
        yield 7;
      }
      case StringAttribute s -> {
        w.string(4, s.value());
        yield 3;
      }
      case StringsAttribute ss -> {
        for (String s : ss.values()) {
          w.string(9, s);
        }
        yield 8;
      }
    };
    return w.varint(20, type);
  }

  static ProtoWriter tensor(Tensor t) {
    ProtoWriter w = new ProtoWriter();
    for (long d : t.dims()) {
      w.varint(1, d);
    }
    return w.varint(2, t.dataType()).string(8, t.name()).bytes(9, t.raw());
  }

  static ProtoWriter valueInfo(ValueInfo v) {
    ProtoWriter shape = new ProtoWriter();
    for (Object d : v.dims()) {
      shape.message(1, d instanceof Integer size ? new ProtoWriter().varint(1, size) : new ProtoWriter().string(2, (String) d));
    }
    ProtoWriter tensorType = new ProtoWriter().varint(1, v.elemType()).message(2, shape);
    return new ProtoWriter().string(1, v.name()).message(2, new ProtoWriter().message(1, tensorType));
  }
}
