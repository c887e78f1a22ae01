package io.kiln.runtime.onnx;

import io.kiln.runtime.onnx.OnnxProto.Attribute;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Short constructors for node attributes, so node-building code reads like the ONNX operator docs. */
final class Attributes {
  private Attributes() {}

  static Attribute i(String name, long value) {
    return new OnnxProto.IntAttribute(name, value);
  }

  static Attribute f(String name, double value) {
    return new OnnxProto.FloatAttribute(name, (float) value);
  }

  static Attribute ints(String name, long... values) {
    return new OnnxProto.IntsAttribute(name, values);
  }

  static Attribute s(String name, String value) {
    return new OnnxProto.StringAttribute(name, value);
  }

  static Attribute strings(String name, String... values) {
    return new OnnxProto.StringsAttribute(name, values);
  }

  /** A one-element float tensor attribute, e.g. ConstantOfShape's {@code value}. */
  static Attribute floatTensor(String name, float value) {
    byte[] raw = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array();
    return new OnnxProto.TensorAttribute(name, new OnnxProto.Tensor("", OnnxProto.FLOAT, new long[] {1}, raw));
  }
}
