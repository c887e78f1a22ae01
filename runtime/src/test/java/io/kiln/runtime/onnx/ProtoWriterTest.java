package io.kiln.runtime.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The encoder against the encodings protobuf's documentation spells out byte by byte. */
class ProtoWriterTest {
  private static String hex(ProtoWriter w) {
    return HexFormat.of().formatHex(w.toByteArray());
  }

  @Test
  void varintsAreLittleEndianSevenBitGroups() {
    // protobuf.dev/programming-guides/encoding: "08 96 01" is field 1 = 150.
    assertEquals("089601", hex(new ProtoWriter().varint(1, 150)));
    assertEquals("0800", hex(new ProtoWriter().varint(1, 0)));
    assertEquals("08ac02", hex(new ProtoWriter().varint(1, 300)));
  }

  @Test
  void negativeIntegersTakeTenBytesAsInt64() {
    assertEquals("08ffffffffffffffffff01", hex(new ProtoWriter().varint(1, -1)));
  }

  @Test
  void stringsAreLengthDelimitedUtf8() {
    // The guide's "12 07 74 65 73 74 69 6e 67": field 2 = "testing".
    assertEquals("120774657374696e67", hex(new ProtoWriter().string(2, "testing")));
    assertEquals("0a02c3a9", hex(new ProtoWriter().string(1, "é")));
    assertEquals("0a00", hex(new ProtoWriter().string(1, "")));
  }

  @Test
  void embeddedMessagesAreLengthDelimited() {
    // The guide's Test3 { c = Test1 { a = 150 } }: "1a 03 08 96 01".
    assertEquals("1a03089601", hex(new ProtoWriter().message(3, new ProtoWriter().varint(1, 150))));
  }

  @Test
  void floatsAreFixed32LittleEndian() {
    assertEquals("150000803f", hex(new ProtoWriter().float32(2, 1f)));
    assertEquals("15000080ff", hex(new ProtoWriter().float32(2, Float.NEGATIVE_INFINITY)));
  }

  @Test
  void largeFieldNumbersNeedTwoByteTags() {
    // ONNX's AttributeProto.type is field 20: tag (20 << 3) | 0 = 160 = "a0 01".
    assertEquals("a00102", hex(new ProtoWriter().varint(20, 2)));
  }

  @Test
  void growsPastItsFirstBuffer() {
    byte[] big = new byte[1000];
    big[999] = 7;
    byte[] out = new ProtoWriter().bytes(1, big).toByteArray();
    assertEquals(1003, out.length); // tag, two-byte length 1000 = "e8 07", data
    assertEquals("0ae807", HexFormat.of().formatHex(out, 0, 3));
    assertEquals(7, out[1002]);
  }

  @Test
  void fieldNumberZeroIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProtoWriter().varint(0, 1));
    assertEquals("protobuf field numbers start at 1, not 0", e.getMessage());
  }
}
