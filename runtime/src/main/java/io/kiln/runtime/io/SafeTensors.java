package io.kiln.runtime.io;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format,
 * so weights move between Kiln and PyTorch/Hugging Face both ways:
 *
 * <pre>
 *   8 bytes   little-endian u64 N, the header length
 *   N bytes   UTF-8 JSON: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
 *             ..., "__metadata__": {"key": "value"}}, padded with spaces
 *   rest      the tensors' bytes, little-endian, offsets relative to the end of the header
 * </pre>
 *
 * <p>Reading is strict, like the reference implementation: every offset must lie in the file,
 * match its shape and dtype exactly, and the tensors must tile the data region without overlaps
 * or holes. Sizes are checked against the file length before anything is allocated, so a corrupt
 * or hostile file gets a {@link ModelFileException} naming the file and the problem, never an
 * {@link OutOfMemoryError}.
 *
 * <p>Writing is atomic: the bytes go to a temporary file in the target's directory, are forced
 * to disk, and the temporary file is renamed over the target; a failure leaves the old file (if
 * any) untouched.
 *
 * <p>Usage: {@code try (SafeTensors st = SafeTensors.open(path)) { float[] w = st.readFloats("fc.weight"); }}
 */
public final class SafeTensors implements Closeable {
  /** The largest header accepted (the reference implementation's limit). */
  public static final long MAX_HEADER_BYTES = 100L << 20;

  private static final String METADATA_KEY = "__metadata__";
  private static final int CHUNK_BYTES = 1 << 20;

  /** Bytes per element of every dtype the format defines; Kiln converts the float ones. */
  private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(
      Map.entry("F64", 8), Map.entry("F32", 4), Map.entry("F16", 2), Map.entry("BF16", 2),
      Map.entry("I64", 8), Map.entry("I32", 4), Map.entry("I16", 2), Map.entry("I8", 1),
      Map.entry("U64", 8), Map.entry("U32", 4), Map.entry("U16", 2), Map.entry("U8", 1),
      Map.entry("BOOL", 1), Map.entry("F8_E4M3", 1), Map.entry("F8_E5M2", 1));

  /**
   * One tensor's header entry.
   *
   * @param name the tensor's name
   * @param dtype its safetensors dtype, e.g. {@code "F32"}
   * @param shape its shape (a copy is returned; an empty shape is a scalar)
   * @param begin first byte, relative to the start of the data region
   * @param end one past the last byte
   */
  public record TensorInfo(String name, String dtype, int[] shape, long begin, long end) {
    public TensorInfo {
      shape = shape.clone();
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }

    /** The number of elements (the product of the shape). */
    public int elementCount() {
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      return (int) n;
    }

    /** True if {@link SafeTensors#readFloats} can read this tensor (F32, or F64/F16/BF16 converted). */
    public boolean isFloat() {
      return dtype.equals("F32") || dtype.equals("F16") || dtype.equals("BF16") || dtype.equals("F64");
    }

    @Override
    public String toString() {
      return name + Arrays.toString(shape) + " " + dtype;
    }
  }

  /**
   * A float tensor to write.
   *
   * @param name its name (not empty, not {@code __metadata__})
   * @param shape its shape; the product must equal {@code data.length}
   * @param data its elements in row-major order (not copied; do not change it during the write)
   */
  public record TensorData(String name, int[] shape, float[] data) {
    public TensorData {
      Objects.requireNonNull(name, "name");
      shape = Objects.requireNonNull(shape, "shape").clone();
      Objects.requireNonNull(data, "data");
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }
  }

  private final Path file;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, String> metadata;
  private final Map<String, TensorInfo> tensors;

  private SafeTensors(Path file, FileChannel channel, long dataStart, Map<String, String> metadata,
      Map<String, TensorInfo> tensors) {
    this.file = file;
    this.channel = channel;
    this.dataStart = dataStart;
    this.metadata = metadata;
    this.tensors = tensors;
  }

  /**
   * Opens a safetensors file and validates its whole header against the file's length. The
   * tensors' data is read only by {@link #readFloats}.
   *
   * @throws ModelFileException if the file is not a valid safetensors file
   * @throws IOException if it cannot be read
   */
  public static SafeTensors open(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = ch.size();
      if (size < 8) {
        throw bad(file, "is too short to be a safetensors file (" + size + " bytes; it needs at least the 8-byte header length)");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(file, ch, lenBuf, 0);
      long n = lenBuf.getLong(0);
      if (n < 2 || n > MAX_HEADER_BYTES || n > size - 8) {
        throw bad(file, "declares a header of " + Long.toUnsignedString(n) + " bytes, but the file holds "
            + size + " bytes and headers are limited to " + MAX_HEADER_BYTES + "; it is not a safetensors file or is truncated");
      }
      ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
      readFully(file, ch, headerBuf, 8);
      headerBuf.flip();
      String json;
      try {
        json = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(headerBuf).toString();
      } catch (CharacterCodingException e) {
        throw bad(file, "has a header that is not valid UTF-8");
      }
      Object root;
      try {
        root = Json.parse(json);
      } catch (Json.Failure e) {
        throw bad(file, "has an invalid JSON header: " + e.getMessage());
      }
      if (!(root instanceof Map<?, ?> entries)) {
        throw bad(file, "has a JSON header that is not an object");
      }
      long dataLength = size - 8 - n;
      Map<String, String> metadata = Map.of();
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : entries.entrySet()) {
        String name = (String) e.getKey();
        if (name.equals(METADATA_KEY)) {
          metadata = parseMetadata(file, e.getValue());
        } else {
          tensors.put(name, parseTensor(file, name, e.getValue()));
        }
      }
      checkLayout(file, tensors.values(), dataLength);
      return new SafeTensors(file, ch, 8 + n, Collections.unmodifiableMap(metadata),
          Collections.unmodifiableMap(tensors));
    } catch (IOException | RuntimeException | Error e) {
      ch.close();
      throw e;
    }
  }

  /** The file this was opened from. */
  public Path file() {
    return file;
  }

  /** The {@code __metadata__} string map (empty if the file has none), unmodifiable. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Every tensor's header entry in header order, unmodifiable. */
  public List<TensorInfo> tensors() {
    return List.copyOf(tensors.values());
  }

  /** The header entry of {@code name}, or null if the file has no such tensor. */
  public TensorInfo tensor(String name) {
    return tensors.get(name);
  }

  /**
   * Reads a tensor as floats: F32 as stored, F16, BF16 and F64 converted (rounded to nearest).
   *
   * @throws ModelFileException if there is no such tensor, its dtype is not a float type, or the
   *     file was truncated since it was opened
   * @throws IOException if the file cannot be read
   */
  public float[] readFloats(String name) throws IOException {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw bad(file, "has no tensor '" + name + "'");
    }
    if (!t.isFloat()) {
      throw bad(file, "holds tensor '" + name + "' as unsupported dtype " + t.dtype()
          + "; Kiln reads F32 (and converts F64, F16 and BF16)");
    }
    int count = t.elementCount();
    float[] out = new float[count];
    int width = DTYPE_BYTES.get(t.dtype());
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(t.end() - t.begin(), 8)))
        .order(ByteOrder.LITTLE_ENDIAN);
    long pos = dataStart + t.begin();
    int done = 0;
    while (done < count) {
      int k = Math.min(count - done, buf.capacity() / width);
      buf.clear().limit(k * width);
      readFully(file, channel, buf, pos);
      buf.flip();
      switch (t.dtype()) {
        case "F32" -> buf.asFloatBuffer().get(out, done, k);
        case "F64" -> {
          for (int i = 0; i < k; i++) {
            out[done + i] = (float) buf.getDouble();
          }
        }
        case "F16" -> {
          for (int i = 0; i < k; i++) {
            out[done + i] = Float.float16ToFloat(buf.getShort());
          }
        }
        default -> { // BF16: the upper half of an F32
          for (int i = 0; i < k; i++) {
            out[done + i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
          }
        }
      }
      pos += (long) k * width;
      done += k;
    }
    return out;
  }

  /** Closes the file. */
  @Override
  public void close() throws IOException {
    channel.close();
  }

  /**
   * Writes float tensors and string metadata to {@code file} atomically (temporary file in the same
   * directory, forced to disk, then renamed over the target). Tensors are laid out in list order.
   *
   * @param metadata the {@code __metadata__} entries (may be empty)
   * @throws IllegalArgumentException if names repeat or are invalid, or a shape does not match its data
   * @throws IOException if writing fails; the target is then unchanged
   */
  public static void write(Path file, Map<String, String> metadata, List<TensorData> tensors) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(tensors, "tensors");
    byte[] header = header(metadata, tensors);

    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    boolean moved = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length);
        ch.write(buf.flip());
        writeFully(ch, ByteBuffer.wrap(header));
        for (TensorData t : tensors) {
          float[] d = t.data();
          for (int done = 0; done < d.length; ) {
            int k = Math.min(d.length - done, CHUNK_BYTES / 4);
            buf.clear();
            buf.asFloatBuffer().put(d, done, k);
            buf.limit(k * 4);
            writeFully(ch, buf);
            done += k;
          }
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot replace " + file + " atomically on this file system", e);
      }
      moved = true;
      syncDirectory(dir);
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  private static byte[] header(Map<String, String> metadata, List<TensorData> tensors) {
    StringBuilder json = new StringBuilder("{");
    if (!metadata.isEmpty()) {
      Json.quote(json, METADATA_KEY);
      json.append(":{");
      boolean first = true;
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        if (!first) {
          json.append(',');
        }
        first = false;
        Json.quote(json, Objects.requireNonNull(e.getKey(), "metadata key"));
        json.append(':');
        Json.quote(json, Objects.requireNonNull(e.getValue(), "metadata value for " + e.getKey()));
      }
      json.append('}');
    }
    Set<String> names = new HashSet<>();
    long offset = 0;
    for (TensorData t : tensors) {
      String name = t.name();
      if (name.isEmpty() || name.equals(METADATA_KEY)) {
        throw new IllegalArgumentException("invalid tensor name '" + name + "'");
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException("tensor name '" + name + "' appears twice");
      }
      long count = 1;
      for (int d : t.shape) {
        if (d < 0) {
          throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(t.shape));
        }
        count *= d;
      }
      if (count != t.data().length) {
        throw new IllegalArgumentException(name + ": shape " + Arrays.toString(t.shape) + " has " + count
            + " elements but the data has " + t.data().length);
      }
      if (json.length() > 1) {
        json.append(',');
      }
      Json.quote(json, name);
      json.append(":{\"dtype\":\"F32\",\"shape\":[");
      for (int i = 0; i < t.shape.length; i++) {
        json.append(i == 0 ? "" : ",").append(t.shape[i]);
      }
      long end = offset + 4L * count;
      json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
      offset = end;
    }
    json.append('}');
    // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
    byte[] raw = json.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (raw.length + 7) & ~7;
    byte[] out = Arrays.copyOf(raw, padded);
    Arrays.fill(out, raw.length, padded, (byte) ' ');
    return out;
  }

  private static Map<String, String> parseMetadata(Path file, Object value) throws ModelFileException {
    if (!(value instanceof Map<?, ?> m)) {
      throw bad(file, "has a __metadata__ entry that is not an object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        throw bad(file, "has metadata '" + e.getKey() + "' that is not a string");
      }
      out.put((String) e.getKey(), s);
    }
    return out;
  }

  private static TensorInfo parseTensor(Path file, String name, Object value) throws ModelFileException {
    String where = "tensor '" + name + "'";
    if (!(value instanceof Map<?, ?> m)) {
      throw bad(file, "has a header entry for " + where + " that is not an object");
    }
    for (Object key : m.keySet()) {
      if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
        throw bad(file, "has an unknown field '" + key + "' in " + where);
      }
    }
    if (!(m.get("dtype") instanceof String dtype)) {
      throw bad(file, "has no string dtype for " + where);
    }
    Integer width = DTYPE_BYTES.get(dtype);
    if (width == null) {
      throw bad(file, "has unknown dtype '" + dtype + "' for " + where);
    }
    if (!(m.get("shape") instanceof List<?> dims)) {
      throw bad(file, "has no shape array for " + where);
    }
    int[] shape = new int[dims.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
        throw bad(file, "has an invalid dimension " + dims.get(i) + " in the shape of " + where);
      }
      shape[i] = (int) (long) d;
      count *= d; // ≤ (2^31)^k could overflow; checked just below per step
      if (count > Integer.MAX_VALUE) {
        throw bad(file, "declares " + where + " with shape " + dims + ", too large for a Java array");
      }
    }
    if (!(m.get("data_offsets") instanceof List<?> offs) || offs.size() != 2
        || !(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end)
        || begin < 0 || end < begin) {
      throw bad(file, "has invalid data_offsets " + m.get("data_offsets") + " for " + where);
    }
    long bytes = count * width;
    if (end - begin != bytes) {
      throw bad(file, "gives " + where + " " + (end - begin) + " bytes [" + begin + ", " + end + ") but its shape "
          + Arrays.toString(shape) + " of " + dtype + " needs " + bytes);
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  /** The tensors must tile {@code [0, dataLength)} exactly: in range, no overlap, no holes. */
  private static void checkLayout(Path file, Iterable<TensorInfo> infos, long dataLength) throws ModelFileException {
    List<TensorInfo> sorted = new ArrayList<>();
    for (TensorInfo t : infos) {
      if (t.end() > dataLength) {
        throw bad(file, "places tensor '" + t.name() + "' at bytes [" + t.begin() + ", " + t.end()
            + ") but holds only " + dataLength + " bytes of data; the file is truncated or corrupt");
      }
      sorted.add(t);
    }
    sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long at = 0;
    TensorInfo previous = null;
    for (TensorInfo t : sorted) {
      if (t.begin() < at) {
        throw bad(file, "has overlapping tensors '" + previous.name() + "' [" + previous.begin() + ", "
            + previous.end() + ") and '" + t.name() + "' [" + t.begin() + ", " + t.end() + ")");
      }
      if (t.begin() > at) {
        throw bad(file, "has data bytes [" + at + ", " + t.begin() + ") that belong to no tensor");
      }
      at = t.end();
      previous = t;
    }
    if (at != dataLength) {
      throw bad(file, "has " + (dataLength - at) + " trailing bytes after the last tensor");
    }
  }

  private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw new ModelFileException(file, file + ": unexpected end of file at byte " + pos + " (truncated?)",
            new EOFException());
      }
      pos += r;
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  /** Makes the rename durable; not every platform can open a directory, and that is fine. */
  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // Windows cannot open directories; the data itself was forced before the rename.
    }
  }

  private static ModelFileException bad(Path file, String problem) {
    return new ModelFileException(file, file + " " + problem);
  }
}
