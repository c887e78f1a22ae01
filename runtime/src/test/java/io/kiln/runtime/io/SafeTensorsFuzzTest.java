package io.kiln.runtime.io;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and damaged files: whatever the bytes, reading must fail with a {@link ModelFileException}
 * (or succeed), never with another exception or an {@link OutOfMemoryError}.
 */
class SafeTensorsFuzzTest {
  @TempDir Path dir;

  private byte[] valid() throws IOException {
    Path f = dir.resolve("valid.safetensors");
    SafeTensors.write(f, Map.of("format", "kiln", "kiln.model", "Net"), List.of(
        new SafeTensors.TensorData("a.weight", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}),
        new SafeTensors.TensorData("a.bias", new int[] {2}, new float[] {7, 8})));
    return Files.readAllBytes(f);
  }

  /** Opens and reads everything; only ModelFileException may escape. */
  private void readAll(byte[] bytes, String what) throws IOException {
    Path f = dir.resolve("fuzz.safetensors");
    Files.write(f, bytes);
    try (SafeTensors st = SafeTensors.open(f)) {
      for (SafeTensors.TensorInfo t : st.tensors()) {
        if (t.isFloat()) {
          st.readFloats(t.name());
        }
      }
      st.metadata();
    } catch (ModelFileException expected) {
      // fine
    } catch (Throwable t) {
      fail(what + ": " + t, t);
    }
  }

  @Test
  void everyTruncation() throws IOException {
    byte[] v = valid();
    for (int len = 0; len < v.length; len++) {
      readAll(Arrays.copyOf(v, len), "truncated to " + len);
    }
  }

  @Test
  void randomBytes() throws IOException {
    Random r = new Random(1);
    for (int i = 0; i < 300; i++) {
      byte[] b = new byte[r.nextInt(200)];
      r.nextBytes(b);
      if (b.length >= 8 && r.nextBoolean()) {
        // A plausible header length so the parser, not the length check, sees the noise.
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, r.nextInt(b.length - 7));
      }
      readAll(b, "random #" + i);
    }
  }

  @Test
  void randomByteMutationsOfAValidFile() throws IOException {
    byte[] v = valid();
    Random r = new Random(2);
    for (int i = 0; i < 1000; i++) {
      byte[] b = v.clone();
      int flips = 1 + r.nextInt(3);
      for (int k = 0; k < flips; k++) {
        int at = r.nextInt(Math.min(b.length, 8 + 200));
        b[at] = switch (r.nextInt(4)) {
          case 0 -> (byte) r.nextInt(256);
          case 1 -> (byte) "{}[]\",:0123456789-e.".charAt(r.nextInt(20));
          case 2 -> (byte) (b[at] + 1);
          default -> (byte) ' ';
        };
      }
      readAll(b, "mutation #" + i);
    }
  }

  @Test
  void hostileHeaders() throws IOException {
    String[] headers = {
      "{}",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[9223372036854775807],\"data_offsets\":[0,8]}}",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,9223372036854775807]}}",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,16]}}",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[1e400],\"data_offsets\":[0,8]}}",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999999],\"data_offsets\":[0,8]}}",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}",
      "{\"a\":null}",
      "{\"a\":\"\\ud800\"}",
      "{\"a\\u0000\":{}}",
      "{\"__metadata__\":[]}",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} x",
      "{\"a\":tru}",
      "{\"a\":01}",
      "{\"a\":-}",
      "{\"a\":\"\t\"}",
      "[".repeat(10_000),
      "{\"a\":".repeat(10_000),
    };
    byte[] data = new byte[8];
    for (String h : headers) {
      byte[] hb = h.getBytes(StandardCharsets.UTF_8);
      ByteBuffer b = ByteBuffer.allocate(8 + hb.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
      b.putLong(hb.length).put(hb).put(data);
      readAll(b.array(), h.length() > 60 ? h.substring(0, 60) : h);
    }
    // Absurd header lengths.
    for (long n : new long[] {-1, 0, 1, 7, 1L << 40, SafeTensors.MAX_HEADER_BYTES + 1, Long.MIN_VALUE}) {
      ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(n).put("{}      ".getBytes(StandardCharsets.US_ASCII));
      readAll(b.array(), "header length " + n);
    }
    // Invalid UTF-8 in the header.
    byte[] bad = {(byte) '{', (byte) '"', (byte) 0xC3, (byte) 0x28, (byte) '"', (byte) ':', (byte) '1', (byte) '}'};
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8).put(bad);
    readAll(b.array(), "invalid UTF-8");
  }
}
