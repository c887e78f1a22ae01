package io.kiln.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.runtime.io.SafeTensorsTest.file;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.Parameter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dtypes a PyTorch user hands Kiln: half-precision weights, I64 labels and token ids. */
class SafeTensorsDtypesTest {
  @TempDir Path dir;

  /** A file holding one tensor of {@code dtype} with the given little-endian bytes. */
  private Path oneTensor(String dtype, int count, byte[] data) throws IOException {
    Path f = dir.resolve(dtype.toLowerCase() + ".safetensors");
    Files.write(f, file("{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + count + "],\"data_offsets\":[0," + data.length
        + "]}}", data));
    return f;
  }

  private static byte[] shorts(int... bits) {
    ByteBuffer b = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : bits) {
      b.putShort((short) v);
    }
    return b.array();
  }

  private static byte[] longs(long... v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long x : v) {
      b.putLong(x);
    }
    return b.array();
  }

  private static byte[] ints(int... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int x : v) {
      b.putInt(x);
    }
    return b.array();
  }

  @Test
  void f16KnownBitPatternsWidenExactly() throws IOException {
    int[] bits = {0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xc000, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x3555};
    try (SafeTensors st = SafeTensors.open(oneTensor("F16", bits.length, shorts(bits)))) {
      float[] v = st.readFloats("t");
      assertThat(Float.floatToRawIntBits(v[0])).isEqualTo(0); // +0
      assertThat(Float.floatToRawIntBits(v[1])).isEqualTo(0x8000_0000); // -0 keeps its sign
      assertThat(v[2]).isEqualTo(0x1p-24f); // smallest subnormal
      assertThat(v[3]).isEqualTo(1023 * 0x1p-24f); // largest subnormal
      assertThat(v[4]).isEqualTo(0x1p-14f); // smallest normal
      assertThat(v[5]).isEqualTo(1f);
      assertThat(v[6]).isEqualTo(-2f);
      assertThat(v[7]).isEqualTo(65504f); // largest finite
      assertThat(v[8]).isEqualTo(Float.POSITIVE_INFINITY);
      assertThat(v[9]).isEqualTo(Float.NEGATIVE_INFINITY);
      assertThat(v[10]).isNaN();
      assertThat(v[11]).isEqualTo(0x1.554p-2f); // 0.333251953125, not rounded to 1/3
    }
  }

  @Test
  void everyF16ValueWidensToItsExactValue() throws IOException {
    int[] bits = new int[1 << 16];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = i;
    }
    try (SafeTensors st = SafeTensors.open(oneTensor("F16", bits.length, shorts(bits)))) {
      float[] v = st.readFloats("t");
      for (int h = 0; h < bits.length; h++) {
        int sign = h >>> 15;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
          assertThat(mantissa == 0 ? Float.isInfinite(v[h]) : Float.isNaN(v[h])).isTrue();
          continue;
        }
        // IEEE 754 binary16 by definition, in double (exact for every half value).
        double magnitude = exponent == 0 ? mantissa * 0x1p-24 : (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
        double expected = sign == 1 ? -magnitude : magnitude;
        assertThat((double) v[h]).isEqualTo(expected);
        assertThat(Float.floatToRawIntBits(v[h]) >>> 31).isEqualTo(sign);
      }
    }
  }

  @Test
  void bf16KnownBitPatternsWidenExactly() throws IOException {
    int[] bits = {0x0000, 0x8000, 0x0001, 0x007f, 0x0080, 0x3f80, 0x4049, 0x7f7f, 0x7f80, 0xff80, 0x7fc1};
    try (SafeTensors st = SafeTensors.open(oneTensor("BF16", bits.length, shorts(bits)))) {
      float[] v = st.readFloats("t");
      for (int i = 0; i < bits.length; i++) {
        if (Float.isNaN(v[i])) {
          continue;
        }
        // A BF16 is the upper half of an F32: widening appends sixteen zero bits, nothing else.
        assertThat(Integer.toHexString(Float.floatToRawIntBits(v[i]))).isEqualTo(Integer.toHexString(bits[i] << 16));
      }
      assertThat(v[2]).isEqualTo(0x1p-133f); // smallest BF16 subnormal
      assertThat(v[5]).isEqualTo(1f);
      assertThat(v[6]).isEqualTo(3.140625f);
      assertThat(v[8]).isEqualTo(Float.POSITIVE_INFINITY);
      assertThat(v[9]).isEqualTo(Float.NEGATIVE_INFINITY);
      assertThat(v[10]).isNaN();
    }
  }

  @Test
  void i64LabelsReadAsIntsAndLongs() throws IOException {
    Path f = oneTensor("I64", 4, longs(0, 9, -1, 3));
    try (SafeTensors st = SafeTensors.open(f)) {
      assertThat(st.tensor("t").isInteger()).isTrue();
      assertThat(st.tensor("t").isFloat()).isFalse();
      assertThat(st.readInts("t")).asList().containsExactly(0, 9, -1, 3).inOrder();
      assertThat(st.readLongs("t")).asList().containsExactly(0L, 9L, -1L, 3L).inOrder();
    }
  }

  @Test
  void anI64ValueOutsideTheIntRangeIsAnErrorNamingTensorAndValue() throws IOException {
    Path f = oneTensor("I64", 3, longs(1, 1L << 40, 2));
    try (SafeTensors st = SafeTensors.open(f)) {
      ModelFileException e = assertThrows(ModelFileException.class, () -> st.readInts("t"));
      assertThat(e).hasMessageThat().isEqualTo(f + " holds I64 tensor 't' with value 1099511627776 at index 1, outside "
          + "the range of an int [-2147483648, 2147483647]; read it with readLongs");
      assertThat(st.readLongs("t")).asList().containsExactly(1L, 1L << 40, 2L).inOrder();
    }
    Path low = oneTensor("I64", 1, longs(Integer.MIN_VALUE - 1L));
    try (SafeTensors st = SafeTensors.open(low)) {
      assertThat(assertThrows(ModelFileException.class, () -> st.readInts("t")))
          .hasMessageThat().contains("value -2147483649 at index 0");
    }
  }

  @Test
  void unsignedAndNarrowIntegersWidenOrAreRangeChecked() throws IOException {
    try (SafeTensors st = SafeTensors.open(oneTensor("U8", 3, new byte[] {0, (byte) 200, (byte) 255}))) {
      assertThat(st.readInts("t")).asList().containsExactly(0, 200, 255).inOrder();
    }
    try (SafeTensors st = SafeTensors.open(oneTensor("I8", 2, new byte[] {-128, 127}))) {
      assertThat(st.readLongs("t")).asList().containsExactly(-128L, 127L).inOrder();
    }
    try (SafeTensors st = SafeTensors.open(oneTensor("U16", 1, shorts(0xffff)))) {
      assertThat(st.readInts("t")).asList().containsExactly(65535);
    }
    try (SafeTensors st = SafeTensors.open(oneTensor("U32", 2, ints(7, 0xffff_ffff)))) {
      assertThat(st.readLongs("t")).asList().containsExactly(7L, 4294967295L).inOrder();
      assertThat(assertThrows(ModelFileException.class, () -> st.readInts("t")))
          .hasMessageThat().contains("U32 tensor 't' with value 4294967295 at index 1");
    }
    try (SafeTensors st = SafeTensors.open(oneTensor("U64", 1, longs(-1L)))) {
      assertThat(assertThrows(ModelFileException.class, () -> st.readLongs("t"))).hasMessageThat()
          .contains("U64 tensor 't' with value 18446744073709551615 at index 0, outside the range of a long");
    }
  }

  @Test
  void theWrongAccessorSaysWhichOneFits() throws IOException {
    Path f = oneTensor("F32", 1, SafeTensorsTest.floats(1f));
    try (SafeTensors st = SafeTensors.open(f)) {
      assertThat(assertThrows(ModelFileException.class, () -> st.readInts("t"))).hasMessageThat()
          .isEqualTo(f + " holds tensor 't' as F32 but an integer dtype (I64, I32, I16, I8, U64, U32, U16, U8) is "
              + "expected here; read it with readFloats");
    }
    try (SafeTensors st = SafeTensors.open(oneTensor("BOOL", 1, new byte[] {1}))) {
      assertThat(assertThrows(ModelFileException.class, () -> st.readInts("t"))).hasMessageThat()
          .endsWith("holds tensor 't' as BOOL but an integer dtype (I64, I32, I16, I8, U64, U32, U16, U8) is expected here");
    }
  }

  @Test
  void intAndLongTensorsRoundTrip() throws IOException {
    Path f = dir.resolve("mixed.safetensors");
    SafeTensors.write(f, Map.of(), List.of(
        new SafeTensors.TensorData("w", new int[] {2}, new float[] {0.5f, -1f}),
        new SafeTensors.IntTensorData("ids", new int[] {3}, new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}),
        new SafeTensors.LongTensorData("labels", new int[] {2, 1}, new long[] {Long.MIN_VALUE, 1L << 40})));
    try (SafeTensors st = SafeTensors.open(f)) {
      assertThat(st.tensor("ids").dtype()).isEqualTo("I32");
      assertThat(st.tensor("labels").dtype()).isEqualTo("I64");
      assertThat(st.tensor("labels").shape()).isEqualTo(new int[] {2, 1});
      assertThat(st.readFloats("w")).usingExactEquality().containsExactly(0.5f, -1f).inOrder();
      assertThat(st.readInts("ids")).asList().containsExactly(Integer.MIN_VALUE, 0, Integer.MAX_VALUE).inOrder();
      assertThat(st.readLongs("labels")).asList().containsExactly(Long.MIN_VALUE, 1L << 40).inOrder();
    }
    // The bytes are the format's: I64 little-endian after the header.
    byte[] bytes = Files.readAllBytes(f);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong(0);
    assertThat(b.getLong((int) (8 + n + 8 + 12))).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void halfPrecisionWeightsLoadIntoAModel() throws IOException {
    // torch.save of model.half() / model.bfloat16(): the same names, F16 and BF16 data.
    Path f = dir.resolve("half.safetensors");
    byte[] data = new byte[4 * 2 + 2 * 2];
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(Float.floatToFloat16(0.25f)).putShort((short) 0x0001).putShort(Float.floatToFloat16(-3f))
        .putShort((short) 0x7c00); // fc.weight F16 [2, 2]: 0.25, 2^-24, -3, +inf
    b.putShort((short) 0x3f80).putShort((short) 0xc049); // fc.bias BF16 [2]: 1, -3.140625
    Files.write(f, file("{\"fc.weight\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
        + "\"fc.bias\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}}", data));
    float[] slab = new float[6];
    List<Parameter> params = List.of(
        new Parameter("fc.weight", new int[] {2, 2}, slab, null, 0),
        new Parameter("fc.bias", new int[] {2}, slab, null, 4));
    ModelFiles.load(f, "Half", params);
    assertThat(slab).usingExactEquality()
        .containsExactly(0.25f, 0x1p-24f, -3f, Float.POSITIVE_INFINITY, 1f, -3.140625f).inOrder();
  }
}
