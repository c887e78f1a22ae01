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
import java.nio.file.Path;
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
import java.util.TreeSet;
import java.util.function.Predicate;

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
 * <p>Only regular files are opened (a named pipe, directory or device is refused before it is
 * opened, so nothing blocks). The header is bounded so that any header Kiln accepts parses in well
 * under 256 MiB of heap: at most {@link #MAX_HEADER_BYTES} bytes, {@link #MAX_HEADER_VALUES} JSON
 * values and {@link #MAX_TENSORS} tensors. Text from the file (names, dtypes, metadata) appears in
 * messages escaped and shortened by {@link SafeText}.
 *
 * <p>Tensors are read with typed accessors: {@link #readFloats} (F32; F16 and BF16 widened exactly,
 * F64 rounded), {@link #readInts} and {@link #readLongs} (every integer dtype; narrowing is range
 * checked, so an I64 label of 2<sup>40</sup> is an error naming the tensor and the value, never a
 * wrapped-around int).
 *
 * <p>Writing (F32, I32 and I64 tensors) is atomic and durable: the bytes go to a temporary file in
 * the target's directory, are forced to disk, and the temporary file is renamed over the target; a
 * failure leaves the old file (if any) untouched (see {@link AtomicFiles#writeDurably}).
 *
 * <p>Usage: {@code try (SafeTensors st = SafeTensors.open(path)) { float[] w = st.readFloats("fc.weight"); }}
 */
public final class SafeTensors implements Closeable {
  /**
   * The largest header accepted, 16 MiB: room for about 100,000 tensors. (The reference
   * implementation allows 100 MB, but parsing that much JSON can take a gigabyte of heap.)
   */
  public static final long MAX_HEADER_BYTES = 16L << 20;
  /** The most tensors a file may hold. */
  public static final int MAX_TENSORS = 100_000;
  /**
   * The most JSON values (objects, arrays, strings, numbers and object keys, all counted) a header
   * may hold; a tensor entry of rank r takes 10 + r. Parsing stops when it is exceeded, so a header
   * of millions of tiny entries costs no more heap than a legal one.
   */
  public static final int MAX_HEADER_VALUES = 1_500_000;

  private static final String METADATA_KEY = "__metadata__";
  private static final int CHUNK_BYTES = 1 << 20;

  /** Bytes per element of every dtype the format defines; Kiln converts the float ones. */
  private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(
      Map.entry("F64", 8), Map.entry("F32", 4), Map.entry("F16", 2), Map.entry("BF16", 2),
      Map.entry("I64", 8), Map.entry("I32", 4), Map.entry("I16", 2), Map.entry("I8", 1),
      Map.entry("U64", 8), Map.entry("U32", 4), Map.entry("U16", 2), Map.entry("U8", 1),
      Map.entry("BOOL", 1), Map.entry("F8_E4M3", 1), Map.entry("F8_E5M2", 1));
  private static final Set<String> FLOAT_DTYPES = Set.of("F32", "F16", "BF16", "F64");
  private static final Set<String> INTEGER_DTYPES = Set.of("I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8");

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
      return FLOAT_DTYPES.contains(dtype);
    }

    /** True if {@link SafeTensors#readInts} and {@link SafeTensors#readLongs} can read this tensor. */
    public boolean isInteger() {
      return INTEGER_DTYPES.contains(dtype);
    }

    /** The name (escaped and shortened for messages), shape and dtype. */
    @Override
    public String toString() {
      return SafeText.of(name) + Arrays.toString(shape) + " " + dtype;
    }
  }

  /** A tensor to write: {@link TensorData} (F32), {@link IntTensorData} (I32) or {@link LongTensorData} (I64). */
  public sealed interface WritableTensor permits TensorData, IntTensorData, LongTensorData {
    /** Its name (not empty, not {@code __metadata__}). */
    String name();

    /** Its shape; the product must equal the data's length. */
    int[] shape();

    /** Its safetensors dtype: F32, I32 or I64. */
    default String dtype() {
      return switch (this) {
        case TensorData t -> "F32";
        case IntTensorData t -> "I32";
        case LongTensorData t -> "I64";
      };
    }

    /** The number of elements in its data. */
    default int length() {
      return switch (this) {
        case TensorData t -> t.data().length;
        case IntTensorData t -> t.data().length;
        case LongTensorData t -> t.data().length;
      };
    }
  }

  /** The compact constructors' checks: nothing null; a copy of the shape, so the caller's can change. */
  private static int[] checkedCopy(String name, int[] shape, Object data) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(data, "data");
    return Objects.requireNonNull(shape, "shape").clone();
  }

  /**
   * A float tensor to write, stored as F32.
   *
   * @param name its name (not empty, not {@code __metadata__})
   * @param shape its shape; the product must equal {@code data.length}
   * @param data its elements in row-major order (not copied; do not change it during the write)
   */
  public record TensorData(String name, int[] shape, float[] data) implements WritableTensor {
    public TensorData {
      shape = checkedCopy(name, shape, data);
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }
  }

  /** An int tensor to write, stored as I32; see {@link TensorData}. */
  public record IntTensorData(String name, int[] shape, int[] data) implements WritableTensor {
    public IntTensorData {
      shape = checkedCopy(name, shape, data);
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }
  }

  /** A long tensor to write, stored as I64 (PyTorch's dtype for labels and token ids); see {@link TensorData}. */
  public record LongTensorData(String name, int[] shape, long[] data) implements WritableTensor {
    public LongTensorData {
      shape = checkedCopy(name, shape, data);
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
   * tensors' data is read only by {@link #readFloats}, {@link #readInts} and {@link #readLongs}.
   *
   * @throws ModelFileException if the file is not a regular file or not a valid safetensors file
   * @throws java.nio.file.NoSuchFileException if it does not exist
   * @throws IOException if it cannot be opened
   */
  public static SafeTensors open(Path file) throws IOException {
    InputFiles.requireRegularFile(file, problem -> bad(file, problem));
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = ch.size();
      if (size < 8) {
        throw bad(file, "is too short to be a safetensors file (" + size + " bytes; it needs at least the 8-byte header length)");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(file, ch, lenBuf, 0);
      long n = lenBuf.getLong(0);
      if (n < 2 || n > size - 8) {
        throw bad(file, "declares a header of " + Long.toUnsignedString(n) + " bytes, but the file holds "
            + size + " bytes; it is not a safetensors file or is truncated");
      }
      if (n > MAX_HEADER_BYTES) {
        throw bad(file, "has a header of " + n + " bytes; Kiln reads headers of at most " + MAX_HEADER_BYTES
            + " bytes (" + MAX_TENSORS + " tensors)");
      }
      String json = decodeHeader(file, ch, (int) n);
      Object root;
      try {
        root = Json.parse(json, MAX_HEADER_VALUES);
      } catch (Json.Failure e) {
        throw bad(file, "has an invalid JSON header: " + e.getMessage());
      }
      json = null; // the parsed tree is all that is needed from here on
      if (!(root instanceof Map<?, ?> entries)) {
        throw bad(file, "has a JSON header that is not an object");
      }
      int tensorCount = entries.size() - (entries.containsKey(METADATA_KEY) ? 1 : 0);
      if (tensorCount > MAX_TENSORS) {
        throw bad(file, "holds " + tensorCount + " tensors; Kiln reads at most " + MAX_TENSORS);
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

  private static String decodeHeader(Path file, FileChannel ch, int n) throws IOException {
    ByteBuffer headerBuf = ByteBuffer.allocate(n);
    readFully(file, ch, headerBuf, 8);
    headerBuf.flip();
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(headerBuf).toString();
    } catch (CharacterCodingException e) {
      throw bad(file, "has a header that is not valid UTF-8");
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
   * Reads a tensor as floats: F32 as stored, F16 and BF16 widened exactly (subnormals, infinities
   * and NaN included), F64 rounded to nearest.
   *
   * @throws ModelFileException if there is no such tensor, its dtype is not a float type, or the
   *     file was truncated since it was opened
   * @throws IOException if the file cannot be read
   */
  public float[] readFloats(String name) throws IOException {
    TensorInfo t = find(name, TensorInfo::isFloat, "F32, F16, BF16 or F64", "readInts or readLongs");
    float[] out = new float[t.elementCount()];
    readChunks(t, (buf, from, k) -> {
      switch (t.dtype()) {
        case "F32" -> buf.asFloatBuffer().get(out, from, k);
        case "F64" -> {
          for (int i = 0; i < k; i++) {
            out[from + i] = (float) buf.getDouble();
          }
        }
        case "F16" -> {
          for (int i = 0; i < k; i++) {
            out[from + i] = Float.float16ToFloat(buf.getShort());
          }
        }
        default -> { // BF16: the upper half of an F32
          for (int i = 0; i < k; i++) {
            out[from + i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
          }
        }
      }
    });
    return out;
  }

  /**
   * Reads an integer tensor as ints: I32, I16, I8, U16 and U8 as stored; I64, U32 and U64 only if
   * every value fits an int.
   *
   * @throws ModelFileException if there is no such tensor, it is not an integer tensor, or a value
   *     does not fit an int (naming the tensor, the value and its index)
   * @throws IOException if the file cannot be read
   */
  public int[] readInts(String name) throws IOException {
    TensorInfo t = find(name, TensorInfo::isInteger, "an integer dtype (I64, I32, I16, I8, U64, U32, U16, U8)",
        "readFloats");
    int[] out = new int[t.elementCount()];
    readIntegers(t, (index, value) -> {
      if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
        throw outOfRange(t, index, Long.toString(value), "an int [" + Integer.MIN_VALUE + ", " + Integer.MAX_VALUE
            + "]; read it with readLongs");
      }
      out[index] = (int) value;
    });
    return out;
  }

  /**
   * Reads an integer tensor as longs: every integer dtype, U64 only if every value fits a long.
   *
   * @throws ModelFileException if there is no such tensor, it is not an integer tensor, or a U64
   *     value exceeds {@link Long#MAX_VALUE}
   * @throws IOException if the file cannot be read
   */
  public long[] readLongs(String name) throws IOException {
    TensorInfo t = find(name, TensorInfo::isInteger, "an integer dtype (I64, I32, I16, I8, U64, U32, U16, U8)",
        "readFloats");
    long[] out = new long[t.elementCount()];
    readIntegers(t, (index, value) -> out[index] = value);
    return out;
  }

  /** Receives one integer value; U64 values beyond Long.MAX_VALUE never reach it. */
  @FunctionalInterface
  private interface IntegerSink {
    void accept(int index, long value) throws ModelFileException;
  }

  private void readIntegers(TensorInfo t, IntegerSink sink) throws IOException {
    readChunks(t, (buf, from, k) -> {
      for (int i = 0; i < k; i++) {
        long v = switch (t.dtype()) {
          case "I64" -> buf.getLong();
          case "I32" -> buf.getInt();
          case "I16" -> buf.getShort();
          case "I8" -> buf.get();
          case "U64" -> {
            long u = buf.getLong();
            if (u < 0) {
              throw outOfRange(t, from + i, Long.toUnsignedString(u), "a long (at most " + Long.MAX_VALUE + ")");
            }
            yield u;
          }
          case "U32" -> buf.getInt() & 0xffff_ffffL;
          case "U16" -> buf.getShort() & 0xffff;
          default -> buf.get() & 0xff; // U8
        };
        sink.accept(from + i, v);
      }
    });
  }

  private ModelFileException outOfRange(TensorInfo t, int index, String value, String range) {
    return bad(file, "holds " + t.dtype() + " tensor '" + SafeText.of(t.name()) + "' with value " + value
        + " at index " + index + ", outside the range of " + range);
  }

  private TensorInfo find(String name, Predicate<TensorInfo> readable, String expected,
      String otherAccessor) throws ModelFileException {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw bad(file, "has no tensor '" + SafeText.of(name) + "'");
    }
    if (!readable.test(t)) {
      throw bad(file, "holds tensor '" + SafeText.of(name) + "' as " + t.dtype() + " but " + expected
          + " is expected here" + (t.isFloat() || t.isInteger() ? "; read it with " + otherAccessor : ""));
    }
    return t;
  }

  /** Receives {@code count} elements of a tensor, little-endian, starting at element {@code from}. */
  @FunctionalInterface
  private interface Chunk {
    void accept(ByteBuffer buf, int from, int count) throws ModelFileException;
  }

  private void readChunks(TensorInfo t, Chunk chunk) throws IOException {
    int count = t.elementCount();
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
      chunk.accept(buf, done, k);
      pos += (long) k * width;
      done += k;
    }
  }

  /** Closes the file. */
  @Override
  public void close() throws IOException {
    channel.close();
  }

  /**
   * Writes tensors (F32, I32 or I64, see {@link WritableTensor}) and string metadata to {@code file}
   * atomically and durably (temporary file in the same directory, forced to disk, then renamed over
   * the target; temporary files that killed saves of the same target left behind are removed
   * first, see {@link AtomicFiles}). Tensors are laid out in list order.
   *
   * @param metadata the {@code __metadata__} entries (may be empty)
   * @throws IllegalArgumentException if names repeat or are invalid, or a shape does not match its data
   * @throws IOException naming the file if writing fails; the target is then unchanged
   */
  public static void write(Path file, Map<String, String> metadata, List<? extends WritableTensor> tensors)
      throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(tensors, "tensors");
    byte[] header = header(metadata, tensors);
    AtomicFiles.writeDurably(file, ch -> {
      ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      buf.putLong(header.length);
      writeFully(ch, buf.flip());
      writeFully(ch, ByteBuffer.wrap(header));
      for (WritableTensor t : tensors) {
        int width = DTYPE_BYTES.get(t.dtype());
        for (int done = 0; done < t.length(); ) {
          int k = Math.min(t.length() - done, CHUNK_BYTES / width);
          buf.clear();
          switch (t) {
            case TensorData f -> buf.asFloatBuffer().put(f.data(), done, k);
            case IntTensorData i -> buf.asIntBuffer().put(i.data(), done, k);
            case LongTensorData l -> buf.asLongBuffer().put(l.data(), done, k);
          }
          buf.limit(k * width);
          writeFully(ch, buf);
          done += k;
        }
      }
    });
  }

  private static byte[] header(Map<String, String> metadata, List<? extends WritableTensor> tensors) {
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
    for (WritableTensor t : tensors) {
      String name = t.name();
      int[] shape = t.shape();
      if (name.isEmpty() || name.equals(METADATA_KEY)) {
        throw new IllegalArgumentException("invalid tensor name '" + name + "'");
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException("tensor name '" + name + "' appears twice");
      }
      long count = 1;
      for (int d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
        }
        count *= d;
      }
      if (count != t.length()) {
        throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " has " + count
            + " elements but the data has " + t.length());
      }
      if (json.length() > 1) {
        json.append(',');
      }
      Json.quote(json, name);
      json.append(":{\"dtype\":\"").append(t.dtype()).append("\",\"shape\":[");
      for (int i = 0; i < shape.length; i++) {
        json.append(i == 0 ? "" : ",").append(shape[i]);
      }
      long end = offset + DTYPE_BYTES.get(t.dtype()) * count;
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
        throw bad(file, "has metadata '" + SafeText.of((String) e.getKey()) + "' that is not a string");
      }
      out.put((String) e.getKey(), s);
    }
    return out;
  }

  private static TensorInfo parseTensor(Path file, String name, Object value) throws ModelFileException {
    String where = "tensor '" + SafeText.of(name) + "'";
    if (!(value instanceof Map<?, ?> m)) {
      throw bad(file, "has a header entry for " + where + " that is not an object");
    }
    for (Object key : m.keySet()) {
      if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
        throw bad(file, "has an unknown field '" + SafeText.of((String) key) + "' in " + where
            + " (expected dtype, shape and data_offsets)");
      }
    }
    if (!(m.get("dtype") instanceof String dtype)) {
      throw bad(file, "has no string dtype for " + where);
    }
    Integer width = DTYPE_BYTES.get(dtype);
    if (width == null) {
      throw bad(file, "has unknown dtype '" + SafeText.of(dtype) + "' for " + where + " (expected one of "
          + new TreeSet<>(DTYPE_BYTES.keySet()) + ")");
    }
    if (!(m.get("shape") instanceof List<?> dims)) {
      throw bad(file, "has no shape array for " + where);
    }
    int[] shape = new int[dims.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
        throw bad(file, "has an invalid dimension " + SafeText.of(String.valueOf(dims.get(i))) + " in the shape of "
            + where + " (expected a whole number 0.." + Integer.MAX_VALUE + ")");
      }
      shape[i] = (int) (long) d;
      count *= d; // ≤ (2^31)^k could overflow; checked just below per step
      if (count > Integer.MAX_VALUE) {
        throw bad(file, "declares " + where + " with shape " + SafeText.of(dims.toString())
            + ", too large for a Java array");
      }
    }
    if (!(m.get("data_offsets") instanceof List<?> offs) || offs.size() != 2
        || !(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end)
        || begin < 0 || end < begin) {
      throw bad(file, "has invalid data_offsets " + SafeText.of(String.valueOf(m.get("data_offsets"))) + " for "
          + where + " (expected [begin, end] with 0 <= begin <= end)");
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
        throw bad(file, "places tensor '" + SafeText.of(t.name()) + "' at bytes [" + t.begin() + ", " + t.end()
            + ") but holds only " + dataLength + " bytes of data; the file is truncated or corrupt");
      }
      sorted.add(t);
    }
    sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long at = 0;
    TensorInfo previous = null;
    for (TensorInfo t : sorted) {
      if (t.begin() < at) {
        throw bad(file, "has overlapping tensors '" + SafeText.of(previous.name()) + "' [" + previous.begin() + ", "
            + previous.end() + ") and '" + SafeText.of(t.name()) + "' [" + t.begin() + ", " + t.end() + ")");
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
      int r;
      try {
        r = ch.read(buf, pos);
      } catch (IOException e) {
        throw new ModelFileException(file, SafeText.of(file) + ": cannot read: " + InputFiles.reason(file, e), e);
      }
      if (r < 0) {
        throw new ModelFileException(file, SafeText.of(file) + ": unexpected end of file at byte " + pos + " (truncated?)",
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

  private static ModelFileException bad(Path file, String problem) {
    return new ModelFileException(file, SafeText.of(file) + " " + problem);
  }
}
