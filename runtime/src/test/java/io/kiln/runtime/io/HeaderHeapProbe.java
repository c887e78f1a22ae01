package io.kiln.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens a safetensors file and prints "opened" (or "refused" and the one-line reason) and the heap
 * in use; {@code HostileFilesTest} runs it in a JVM limited to 256 MiB with the largest headers
 * Kiln parses. An {@link OutOfMemoryError} ends it with a non-zero status. Also builds those files.
 */
public final class HeaderHeapProbe {
  private HeaderHeapProbe() {}

  public static void main(String[] args) throws IOException {
    Runtime rt = Runtime.getRuntime();
    try (SafeTensors st = SafeTensors.open(Path.of(args[0]))) {
      System.out.printf("opened %d tensors, %d metadata entries; heap in use %d MiB of max %d MiB%n",
          st.tensors().size(), st.metadata().size(), (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20);
    } catch (ModelFileException e) {
      System.out.printf("refused (%s); heap in use %d MiB%n", e.getMessage(), (rt.totalMemory() - rt.freeMemory()) >> 20);
    }
  }

  /**
   * {@link SafeTensors#MAX_HEADER_VALUES} empty objects in one array, the costliest value per
   * header byte: parsed in full, then refused (it is no safetensors header).
   */
  static Path writeLargestEmptyObjectsHeader(Path file) throws IOException {
    StringBuilder h = new StringBuilder("{\"__metadata__\":[");
    for (int i = 0; i < SafeTensors.MAX_HEADER_VALUES - 3; i++) {
      h.append(i == 0 ? "{}" : ",{}");
    }
    h.append("]}");
    return write(file, h, 0);
  }

  /** {@link SafeTensors#MAX_TENSORS} F32 tensors of one element, names padded to fill the header limit. */
  static Path writeLargestTensorHeader(Path file) throws IOException {
    int n = SafeTensors.MAX_TENSORS;
    String entry = "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[";
    // ~80 bytes of structure per entry; the rest of the budget goes to the names.
    int nameLength = (int) ((SafeTensors.MAX_HEADER_BYTES - 64) / n) - entry.length() - 30;
    String pad = "p".repeat(nameLength - 7);
    StringBuilder h = new StringBuilder((int) SafeTensors.MAX_HEADER_BYTES);
    h.append('{');
    for (int i = 0; i < n; i++) {
      h.append(i == 0 ? "\"" : ",\"").append(String.format("%07d", i)).append(pad).append(entry)
          .append(4L * i).append(',').append(4L * i + 4).append("]}");
    }
    h.append('}');
    return write(file, h, 4L * n);
  }

  /**
   * A metadata map of {@link SafeTensors#MAX_HEADER_VALUES} values (keys and strings of a few
   * characters each: the most objects per header byte).
   */
  static Path writeLargestMetadataHeader(Path file) throws IOException {
    int entries = (SafeTensors.MAX_HEADER_VALUES - 8) / 2;
    StringBuilder h = new StringBuilder("{\"__metadata__\":{");
    for (int i = 0; i < entries; i++) {
      h.append(i == 0 ? "\"" : ",\"").append(Integer.toString(i, 36)).append("\":\"v\"");
    }
    h.append("}}");
    return write(file, h, 0);
  }

  private static Path write(Path file, StringBuilder header, long dataBytes) throws IOException {
    byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
    if (h.length > SafeTensors.MAX_HEADER_BYTES) {
      throw new IllegalStateException("header of " + h.length + " bytes is over the limit");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length));
      ch.write(ByteBuffer.wrap(h));
      ch.write(ByteBuffer.allocate((int) dataBytes));
    }
    return file;
  }
}
