package io.kiln.runtime.data;

import io.kiln.runtime.io.AtomicFiles;
import io.kiln.runtime.io.InputFiles;
import io.kiln.runtime.io.SafeText;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes the IDX format of MNIST and Fashion-MNIST
 * (<a href="http://yann.lecun.com/exdb/mnist/">LeCun et al.</a>): a big-endian header — magic
 * number {@code 0x00 0x00 type dims}, then one 32-bit size per dimension — followed by the data.
 * Kiln reads unsigned-byte files only: images ({@code 0x00000803}, {@code [count, rows, cols]})
 * and labels ({@code 0x00000801}, {@code [count]}).
 *
 * <p>Files may be plain or gzipped; gzip is recognised by its magic bytes ({@code 1f 8b}), not by
 * the file name. Every problem is reported as a {@link DataFormatException} naming the file and
 * what is wrong, and sizes in the header are checked before anything is allocated for them, so an
 * absurd header never causes an {@link OutOfMemoryError}.
 */
public final class Idx {
  /** Magic number of an IDX image file: unsigned bytes, 3 dimensions. */
  public static final int IMAGES_MAGIC = 0x00000803;
  /** Magic number of an IDX label file: unsigned bytes, 1 dimension. */
  public static final int LABELS_MAGIC = 0x00000801;
  /** The largest image side accepted; larger values are taken as a corrupt header. */
  public static final int MAX_SIDE = 16_384;
  /** The most pixels (all images together) accepted: the longest Java array, with some margin. */
  public static final long MAX_PIXELS = Integer.MAX_VALUE - 64;

  private static final int IMAGES_HEADER = 16;
  private static final int LABELS_HEADER = 8;
  private static final float[] SCALE = new float[256];

  static {
    for (int i = 0; i < 256; i++) {
      SCALE[i] = i / 255f;
    }
  }

  private Idx() {}

  /**
   * Reads an IDX image file (plain or gzipped).
   *
   * @throws DataFormatException naming the file if it is not an IDX image file, is truncated or has
   *     trailing bytes, has implausible dimensions, or is corrupt gzip
   * @throws IOException if the file cannot be read
   */
  public static IdxImages readImages(Path file) throws IOException {
    try (InputStream in = openRegular(file)) {
      return readImages(in, SafeText.of(file), Files.size(file));
    }
  }

  /**
   * Reads IDX images (plain or gzipped) from a stream, e.g. a class-path resource; {@code name}
   * names the source in error messages. The stream is read to its end but not closed.
   *
   * @throws DataFormatException as {@link #readImages(Path)}
   */
  public static IdxImages readImages(InputStream in, String name) throws IOException {
    return readImages(in, name, -1);
  }

  /**
   * Reads an IDX label file (plain or gzipped); labels are returned as ints in [0, 255].
   *
   * @throws DataFormatException naming the file if it is not an IDX label file, is truncated or has
   *     trailing bytes, or is corrupt gzip
   * @throws IOException if the file cannot be read
   */
  public static int[] readLabels(Path file) throws IOException {
    try (InputStream in = openRegular(file)) {
      return readLabels(in, SafeText.of(file), Files.size(file));
    }
  }

  /**
   * Reads IDX labels (plain or gzipped) from a stream; {@code name} names the source in error
   * messages. The stream is read to its end but not closed.
   *
   * @throws DataFormatException as {@link #readLabels(Path)}
   */
  public static int[] readLabels(InputStream in, String name) throws IOException {
    return readLabels(in, name, -1);
  }

  /**
   * Reads an image file and its label file as one data set.
   *
   * @throws DataFormatException if either file is malformed or their counts differ
   * @throws IOException if a file cannot be read
   */
  public static Dataset load(Path images, Path labels) throws IOException {
    IdxImages img = readImages(images);
    int[] lab = readLabels(labels);
    return combine(img, SafeText.of(images), lab, SafeText.of(labels));
  }

  /**
   * Combines images and labels read separately (e.g. from streams) into a data set.
   *
   * @throws DataFormatException naming both sources if the counts differ
   */
  public static Dataset combine(IdxImages images, String imagesName, int[] labels, String labelsName)
      throws DataFormatException {
    if (images.count() != labels.length) {
      throw new DataFormatException(labelsName, "holds " + labels.length + " labels but " + imagesName
          + " holds " + images.count() + " images; they must be the same split of the same data set");
    }
    return new Dataset(images, labels);
  }

  /**
   * Writes images as an IDX file, atomically (temp file + rename), gzipped (deflate level 9, no
   * time stamp, so the bytes are reproducible) if {@code gzip}. Pixels are stored as
   * {@code round(255 * p)} after clamping to [0, 1], so images read by this class round-trip
   * exactly.
   */
  public static void writeImages(Path file, IdxImages images, boolean gzip) throws IOException {
    int n = images.pixels().length;
    byte[] out = new byte[IMAGES_HEADER + n];
    putInt(out, 0, IMAGES_MAGIC);
    putInt(out, 4, images.count());
    putInt(out, 8, images.rows());
    putInt(out, 12, images.cols());
    float[] p = images.pixels();
    for (int i = 0; i < n; i++) {
      float v = Math.max(0f, Math.min(1f, p[i]));
      out[IMAGES_HEADER + i] = (byte) Math.round(v * 255f);
    }
    write(file, out, gzip);
  }

  /**
   * Writes labels as an IDX file, atomically, gzipped if {@code gzip}.
   *
   * @throws IllegalArgumentException if a label is outside [0, 255]
   */
  public static void writeLabels(Path file, int[] labels, boolean gzip) throws IOException {
    byte[] out = new byte[LABELS_HEADER + labels.length];
    putInt(out, 0, LABELS_MAGIC);
    putInt(out, 4, labels.length);
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] > 255) {
        throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " does not fit an unsigned byte");
      }
      out[LABELS_HEADER + i] = (byte) labels[i];
    }
    write(file, out, gzip);
  }

  // ---------------------------------------------------------------------------------------------

  /** Refuses pipes, directories and devices before opening, so nothing blocks. */
  private static InputStream openRegular(Path file) throws IOException {
    InputFiles.requireRegularFile(file, problem -> new DataFormatException(SafeText.of(file), problem));
    return Files.newInputStream(file);
  }

  private static IdxImages readImages(InputStream raw, String name, long fileLength) throws IOException {
    Source src = open(raw, name, fileLength);
    byte[] h = readHeader(src, IMAGES_HEADER, IMAGES_MAGIC, "image");
    long count = uint(h, 4);
    long rows = uint(h, 8);
    long cols = uint(h, 12);
    if (rows == 0 || cols == 0 || rows > MAX_SIDE || cols > MAX_SIDE) {
      throw new DataFormatException(name, "implausible image size " + rows + "x" + cols
          + " in the header (each side must be 1.." + MAX_SIDE + "); the header is corrupt");
    }
    long pixels = count * rows * cols; // < 2^32 * 2^28: no overflow
    if (pixels > MAX_PIXELS) {
      throw new DataFormatException(name, "implausible header: " + count + " images of " + rows + "x" + cols
          + " would be " + pixels + " pixels, more than the " + MAX_PIXELS + " one array can hold");
    }
    byte[] data = readPayload(src, pixels, IMAGES_HEADER, "pixel data (" + count + " images of " + rows + "x" + cols + ")");
    float[] f = new float[data.length];
    for (int i = 0; i < data.length; i++) {
      f[i] = SCALE[data[i] & 0xff];
    }
    return new IdxImages((int) count, (int) rows, (int) cols, f);
  }

  private static int[] readLabels(InputStream raw, String name, long fileLength) throws IOException {
    Source src = open(raw, name, fileLength);
    byte[] h = readHeader(src, LABELS_HEADER, LABELS_MAGIC, "label");
    long count = uint(h, 4);
    if (count > MAX_PIXELS) {
      throw new DataFormatException(name, "implausible header: " + count + " labels, more than one array can hold");
    }
    byte[] data = readPayload(src, count, LABELS_HEADER, "label data (" + count + " labels)");
    int[] labels = new int[data.length];
    for (int i = 0; i < data.length; i++) {
      labels[i] = data[i] & 0xff;
    }
    return labels;
  }

  /** A stream positioned at the IDX header, decompressing if needed. */
  private record Source(InputStream in, String name, boolean gzip, long length) {}

  private static Source open(InputStream raw, String name, long fileLength) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      try {
        return new Source(new GZIPInputStream(in, 1 << 16), name, true, -1);
      } catch (ZipException | EOFException e) {
        throw corruptGzip(name, e);
      }
    }
    return new Source(in, name, false, fileLength);
  }

  /** An I/O failure while reading, worded with the source's name ("Is a directory" names nothing). */
  private static DataFormatException cannotRead(String name, IOException e) {
    return new DataFormatException(name, "cannot read: " + InputFiles.reason(null, e), e);
  }

  private static DataFormatException corruptGzip(String name, IOException e) {
    return new DataFormatException(name, "corrupt or truncated gzip data (" + e.getMessage() + ")", e);
  }

  private static byte[] readHeader(Source src, int size, int expectedMagic, String kind) throws IOException {
    byte[] h = new byte[size];
    int got = readFully(src, h, 0, size);
    String what = src.gzip ? "decompressed data" : "file";
    if (got < 4) {
      throw new DataFormatException(src.name, (got == 0 ? "empty " + what : what + " is only " + got + " bytes long")
          + "; an IDX " + kind + " file starts with the magic number " + hex(expectedMagic));
    }
    int magic = (int) uint(h, 0);
    if (magic != expectedMagic) {
      StringBuilder m = new StringBuilder("wrong magic number ").append(hex(magic)).append(describe(magic))
          .append(", expected ").append(hex(expectedMagic)).append(" (IDX ").append(kind).append(" file)");
      if (magic == IMAGES_MAGIC) {
        m.append("; this is an image file — were the image and label paths swapped?");
      } else if (magic == LABELS_MAGIC) {
        m.append("; this is a label file — were the image and label paths swapped?");
      } else if (magic == Integer.reverseBytes(expectedMagic)) {
        m.append("; the bytes are reversed (little-endian?), IDX is big-endian");
      }
      throw new DataFormatException(src.name, m.toString());
    }
    if (got < size) {
      throw new DataFormatException(src.name, "truncated header: an IDX " + kind + " header is " + size
          + " bytes but the " + what + " ends after " + got);
    }
    return h;
  }

  /** Describes an IDX magic number: " (IDX float, 3 dimensions)", or "" if it is not one. */
  private static String describe(int magic) {
    if ((magic >>> 16) != 0) {
      return " (not an IDX file: IDX starts with two zero bytes)";
    }
    String type = switch ((magic >>> 8) & 0xff) {
      case 0x08 -> "unsigned byte";
      case 0x09 -> "signed byte";
      case 0x0B -> "short";
      case 0x0C -> "int";
      case 0x0D -> "float";
      case 0x0E -> "double";
      default -> null;
    };
    if (type == null) {
      return " (unknown IDX type byte " + String.format(Locale.ROOT, "0x%02X", (magic >>> 8) & 0xff) + ")";
    }
    int dims = magic & 0xff;
    return " (IDX " + type + ", " + dims + (dims == 1 ? " dimension)" : " dimensions)");
  }

  private static byte[] readPayload(Source src, long expected, int headerSize, String what) throws IOException {
    if (src.length >= 0) {
      long found = src.length - headerSize;
      if (found != expected) {
        throw sizeMismatch(src, expected, found, what);
      }
      byte[] data = new byte[(int) expected];
      int got = readFully(src, data, 0, data.length);
      if (got != expected) { // the file shrank while we read it
        throw sizeMismatch(src, expected, got, what);
      }
      return data;
    }
    // Length unknown (gzip or a stream): grow the buffer as data arrives, never beyond `expected`.
    byte[] data = new byte[(int) Math.min(expected, 1 << 20)];
    int filled = 0;
    while (true) {
      int got = readFully(src, data, filled, data.length - filled);
      filled += got;
      if (filled < data.length) {
        throw sizeMismatch(src, expected, filled, what);
      }
      if (filled == expected) {
        break;
      }
      data = java.util.Arrays.copyOf(data, (int) Math.min(expected, 2L * data.length));
    }
    long extra = skipToEnd(src);
    if (extra > 0) {
      throw sizeMismatch(src, expected, expected + extra, what);
    }
    return data;
  }

  private static DataFormatException sizeMismatch(Source src, long expected, long found, String what) {
    String where = src.gzip ? " after decompression" : "";
    if (found < expected) {
      return new DataFormatException(src.name, "truncated: expected " + expected + " bytes of " + what
          + " but found " + found + where);
    }
    return new DataFormatException(src.name, "expected " + expected + " bytes of " + what + " but found "
        + found + where + "; the header's sizes do not match the data (trailing bytes?)");
  }

  private static int readFully(Source src, byte[] b, int off, int len) throws IOException {
    try {
      return src.in.readNBytes(b, off, len);
    } catch (ZipException | EOFException e) {
      if (src.gzip) {
        throw corruptGzip(src.name, e);
      }
      throw cannotRead(src.name, e);
    } catch (IOException e) {
      throw cannotRead(src.name, e);
    }
  }

  private static long skipToEnd(Source src) throws IOException {
    byte[] buf = new byte[8192];
    long n = 0;
    while (true) {
      int got = readFully(src, buf, 0, buf.length);
      if (got <= 0) {
        return n;
      }
      n += got;
    }
  }

  private static long uint(byte[] b, int off) {
    return ((b[off] & 0xffL) << 24) | ((b[off + 1] & 0xffL) << 16) | ((b[off + 2] & 0xffL) << 8) | (b[off + 3] & 0xffL);
  }

  private static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  private static String hex(int v) {
    return String.format(Locale.ROOT, "0x%08X", v);
  }

  private static void write(Path file, byte[] bytes, boolean gzip) throws IOException {
    AtomicFiles.write(file, os -> {
      if (gzip) {
        try (GZIPOutputStream gz = new MaxGzip(os)) {
          gz.write(bytes);
        }
      } else {
        os.write(bytes);
      }
    });
  }


  /** gzip at the best compression level; Java writes no time stamp, so output is reproducible. */
  private static final class MaxGzip extends GZIPOutputStream {
    MaxGzip(OutputStream out) throws IOException {
      super(out, 1 << 16);
      def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
    }
  }
}
