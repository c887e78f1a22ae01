package io.kiln.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path dir;

  /** Builds a safetensors file from a header string and raw data bytes. */
  static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    return b.array();
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  private ModelFileException rejects(String header, byte[] data) throws IOException {
    Path f = dir.resolve("bad.safetensors");
    Files.write(f, file(header, data));
    return assertThrows(ModelFileException.class, () -> SafeTensors.open(f).close());
  }

  @Test
  void roundTrip() throws IOException {
    Path f = dir.resolve("m.safetensors");
    SafeTensors.write(f, Map.of("format", "kiln"), List.of(
        new SafeTensors.TensorData("fc.weight", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}),
        new SafeTensors.TensorData("fc.bias", new int[] {2}, new float[] {-1, 0.5f}),
        new SafeTensors.TensorData("scale", new int[] {}, new float[] {7}),
        new SafeTensors.TensorData("empty", new int[] {0, 4}, new float[0])));
    byte[] bytes = Files.readAllBytes(f);
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(n % 8).isEqualTo(0);
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertThat(header).startsWith("{\"__metadata__\":{\"format\":\"kiln\"},\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}");
    try (SafeTensors st = SafeTensors.open(f)) {
      assertThat(st.metadata()).containsExactly("format", "kiln");
      assertThat(st.tensors()).hasSize(4);
      assertThat(st.tensor("fc.weight").shape()).isEqualTo(new int[] {2, 3});
      assertThat(st.readFloats("fc.weight")).usingExactEquality().containsExactly(1f, 2f, 3f, 4f, 5f, 6f).inOrder();
      assertThat(st.readFloats("fc.bias")).usingExactEquality().containsExactly(-1f, 0.5f).inOrder();
      assertThat(st.readFloats("scale")).usingExactEquality().containsExactly(7f);
      assertThat(st.readFloats("empty")).isEmpty();
      assertThat(st.tensor("nope")).isNull();
    }
    // No temporary files are left behind.
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("m.safetensors");
    }
  }

  @Test
  void readsPyTorchStyleFilesAndConvertsHalfPrecision() throws IOException {
    // As torch/safetensors writes it: sorted entries, format "pt", F16 and BF16 tensors.
    ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    data.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-2f));
    data.putShort((short) (Float.floatToIntBits(3.25f) >>> 16)).putShort((short) (Float.floatToIntBits(-0.5f) >>> 16));
    String header = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}   ";
    Path f = dir.resolve("pt.safetensors");
    Files.write(f, file(header, data.array()));
    try (SafeTensors st = SafeTensors.open(f)) {
      assertThat(st.readFloats("a")).usingExactEquality().containsExactly(1.5f, -2f).inOrder();
      assertThat(st.readFloats("b")).usingExactEquality().containsExactly(3.25f, -0.5f).inOrder();
    }
  }

  @Test
  void unsupportedDtypeIsNamed() throws IOException {
    Path f = dir.resolve("i64.safetensors");
    Files.write(f, file("{\"steps\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}", new byte[8]));
    try (SafeTensors st = SafeTensors.open(f)) {
      ModelFileException e = assertThrows(ModelFileException.class, () -> st.readFloats("steps"));
      assertThat(e).hasMessageThat().isEqualTo(
          f + " holds tensor 'steps' as I64 but F32, F16, BF16 or F64 is expected here; read it with readInts or readLongs");
      assertThat(e.file()).isEqualTo(f);
    }
  }

  @Test
  void rejectsMalformedHeaders() throws IOException {
    byte[] eight = floats(1, 2);
    assertThat(rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", eight))
        .hasMessageThat().contains("invalid JSON header");
    assertThat(rejects("[1,2]", new byte[0])).hasMessageThat().contains("not an object");
    assertThat(rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight))
        .hasMessageThat().contains("gives tensor 'a' 8 bytes [0, 8) but its shape [3] of F32 needs 12");
    assertThat(rejects("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight))
        .hasMessageThat().contains("unknown dtype 'Q4' for tensor 'a'");
    assertThat(rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", eight))
        .hasMessageThat().contains("holds only 8 bytes of data; the file is truncated or corrupt");
    assertThat(rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight))
        .hasMessageThat().contains("overlapping tensors 'a' [0, 8) and 'b' [4, 8)");
    assertThat(rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight))
        .hasMessageThat().contains("data bytes [0, 4) that belong to no tensor");
    assertThat(rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", eight))
        .hasMessageThat().contains("4 trailing bytes");
    assertThat(rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{}}", eight))
        .hasMessageThat().contains("duplicate key");
    assertThat(rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", eight))
        .hasMessageThat().contains("invalid dimension -2");
    assertThat(rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", eight))
        .hasMessageThat().contains("too large for a Java array");
    assertThat(rejects("{\"__metadata__\":{\"k\":1}}", new byte[0])).hasMessageThat().contains("metadata 'k' that is not a string");
  }

  @Test
  void rejectsAbsurdHeaderLengths() throws IOException {
    Path f = dir.resolve("huge.safetensors");
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).putLong(0);
    Files.write(f, b.array());
    ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.open(f));
    assertThat(e).hasMessageThat().startsWith(f + " declares a header of 9223372036854775807 bytes");
    b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(0);
    Files.write(f, b.array());
    assertThrows(ModelFileException.class, () -> SafeTensors.open(f));
    Files.write(f, new byte[5]);
    assertThat(assertThrows(ModelFileException.class, () -> SafeTensors.open(f)))
        .hasMessageThat().contains("too short to be a safetensors file");
  }

  @Test
  void failedWriteLeavesTheOldFileIntact() throws IOException {
    Path f = dir.resolve("keep.safetensors");
    SafeTensors.write(f, Map.of(), List.of(new SafeTensors.TensorData("w", new int[] {1}, new float[] {3})));
    byte[] before = Files.readAllBytes(f);
    assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, Map.of(), List.of(
        new SafeTensors.TensorData("w", new int[] {1}, new float[] {1}),
        new SafeTensors.TensorData("w", new int[] {1}, new float[] {2}))));
    assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, Map.of(), List.of(
        new SafeTensors.TensorData("w", new int[] {3}, new float[] {1}))));
    // A directory where the file should be cannot be replaced: the temporary file is cleaned up.
    Path d = dir.resolve("adir");
    Files.createDirectory(d);
    Files.writeString(d.resolve("x"), "occupied");
    assertThrows(IOException.class, () -> SafeTensors.write(d, Map.of(), List.of()));
    assertThat(Files.readAllBytes(f)).isEqualTo(before);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("adir", "keep.safetensors");
    }
  }
}
