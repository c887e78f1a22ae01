package io.kiln.runtime.onnx;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A protocol-buffers encoder for the few wire types ONNX files use: varints, 32-bit floats and
 * length-delimited fields (strings, bytes, nested messages). Hand-written so that
 * {@code kiln-runtime}, which every embedded model carries, stays free of dependencies; it only
 * writes, never parses. Fields are written in the order called; callers call them in field-number
 * order, as protobuf's own serializers do, so the bytes match theirs.
 */
public final class ProtoWriter {
  private static final int VARINT = 0;
  private static final int FIXED32 = 5;
  private static final int LENGTH_DELIMITED = 2;

  private byte[] buf = new byte[64];
  private int size;

  /** Field {@code field} as a varint: int32, int64, enum or bool. Negative values take ten bytes, as protobuf writes them. */
  public ProtoWriter varint(int field, long value) {
    tag(field, VARINT);
    rawVarint(value);
    return this;
  }

  /** Field {@code field} as a 32-bit float, little-endian. */
  public ProtoWriter float32(int field, float value) {
    tag(field, FIXED32);
    int bits = Float.floatToRawIntBits(value);
    ensure(4);
    for (int i = 0; i < 4; i++) {
      buf[size++] = (byte) (bits >>> (8 * i));
    }
    return this;
  }

  /** Field {@code field} as UTF-8 text. */
  public ProtoWriter string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Field {@code field} as raw bytes. */
  public ProtoWriter bytes(int field, byte[] value) {
    tag(field, LENGTH_DELIMITED);
    rawVarint(value.length);
    ensure(value.length);
    System.arraycopy(value, 0, buf, size, value.length);
    size += value.length;
    return this;
  }

  /** Field {@code field} as an embedded message. */
  public ProtoWriter message(int field, ProtoWriter message) {
    tag(field, LENGTH_DELIMITED);
    rawVarint(message.size);
    ensure(message.size);
    System.arraycopy(message.buf, 0, buf, size, message.size);
    size += message.size;
    return this;
  }

  /** The bytes written so far. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  public int size() {
    return size;
  }

  private void tag(int field, int wireType) {
    if (field < 1) {
      throw new IllegalArgumentException("protobuf field numbers start at 1, not " + field);
    }
    rawVarint(((long) field << 3) | wireType);
  }

  private void rawVarint(long value) {
    ensure(10);
    while ((value & ~0x7FL) != 0) {
      buf[size++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buf[size++] = (byte) value;
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      long wanted = Math.max((long) buf.length * 2, (long) size + more);
      if (wanted > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("protobuf message over 2 GiB: ONNX files this large need external data");
      }
      buf = Arrays.copyOf(buf, (int) wanted);
    }
  }
}
