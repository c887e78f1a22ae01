package io.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
  @TempDir Path dir;

  static byte[] header(int magic, int... sizes) {
    byte[] b = new byte[4 + 4 * sizes.length];
    put(b, 0, magic);
    for (int i = 0; i < sizes.length; i++) {
      put(b, 4 + 4 * i, sizes[i]);
    }
    return b;
  }

  static void put(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      gz.write(raw);
    }
    return bos.toByteArray();
  }

  /** A valid image file: 3 images of 2x4 whose pixel bytes are 0, 1, ..., 23 scaled up. */
  static byte[] imageFile() {
    byte[] pixels = new byte[3 * 2 * 4];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 11); // covers 0..253, incl. values above 127
    }
    return concat(header(Idx.IMAGES_MAGIC, 3, 2, 4), pixels);
  }

  static byte[] labelFile(int... labels) {
    byte[] b = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      b[i] = (byte) labels[i];
    }
    return concat(header(Idx.LABELS_MAGIC, labels.length), b);
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return f;
  }

  private DataFormatException rejectsImages(byte[] bytes) throws IOException {
    Path f = write("bad-images", bytes);
    DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.readImages(f));
    assertThat(e).hasMessageThat().startsWith(f.toString() + ": ");
    assertThat(e.source()).isEqualTo(f.toString());
    return e;
  }

  private DataFormatException rejectsLabels(byte[] bytes) throws IOException {
    Path f = write("bad-labels", bytes);
    DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.readLabels(f));
    assertThat(e).hasMessageThat().startsWith(f.toString() + ": ");
    return e;
  }

  @Test
  void readsRawImages() throws IOException {
    IdxImages img = Idx.readImages(write("img", imageFile()));
    assertThat(img.count()).isEqualTo(3);
    assertThat(img.rows()).isEqualTo(2);
    assertThat(img.cols()).isEqualTo(4);
    assertThat(img.pixelsPerImage()).isEqualTo(8);
    assertThat(img.pixels()).hasLength(24);
    for (int i = 0; i < 24; i++) {
      assertThat(img.pixels()[i]).isEqualTo((i * 11) / 255f);
    }
  }

  @Test
  void gzipIsDetectedByMagicNotName() throws IOException {
    byte[] raw = imageFile();
    IdxImages plain = Idx.readImages(write("a.gz", raw)); // plain file named .gz
    IdxImages gz = Idx.readImages(write("b-idx3-ubyte", gzip(raw))); // gzip without .gz
    assertThat(gz.pixels()).isEqualTo(plain.pixels());
    int[] labels = Idx.readLabels(write("l", gzip(labelFile(3, 1, 255))));
    assertThat(labels).isEqualTo(new int[] {3, 1, 255});
  }

  @Test
  void roundTripsThroughWriters() throws IOException {
    float[] px = new float[5 * 3 * 7];
    for (int i = 0; i < px.length; i++) {
      px[i] = ((i * 37) % 256) / 255f;
    }
    IdxImages img = new IdxImages(5, 3, 7, px);
    int[] labels = {0, 9, 4, 255, 1};
    for (boolean gz : new boolean[] {false, true}) {
      Path fi = dir.resolve("i" + gz);
      Path fl = dir.resolve("l" + gz);
      Idx.writeImages(fi, img, gz);
      Idx.writeLabels(fl, labels, gz);
      byte[] head = Arrays.copyOf(Files.readAllBytes(fi), 2);
      assertThat(head[0] == (byte) 0x1f && head[1] == (byte) 0x8b).isEqualTo(gz);
      Dataset d = Idx.load(fi, fl);
      assertThat(d.size()).isEqualTo(5);
      assertThat(d.rows()).isEqualTo(3);
      assertThat(d.cols()).isEqualTo(7);
      assertThat(d.images().pixels()).isEqualTo(px);
      assertThat(d.labels()).isEqualTo(labels);
    }
    assertThat(Files.size(dir.resolve("ifalse"))).isEqualTo(16 + px.length);
    // gzip output is reproducible (no time stamp)
    Idx.writeImages(dir.resolve("again"), img, true);
    assertThat(Files.readAllBytes(dir.resolve("again"))).isEqualTo(Files.readAllBytes(dir.resolve("itrue")));
  }

  @Test
  void readsFromStreams() throws IOException {
    IdxImages img = Idx.readImages(new ByteArrayInputStream(gzip(imageFile())), "resource x");
    assertThat(img.count()).isEqualTo(3);
    int[] l = Idx.readLabels(new ByteArrayInputStream(labelFile(1, 2, 3)), "resource y");
    assertThat(l).isEqualTo(new int[] {1, 2, 3});
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> Idx.readImages(new ByteArrayInputStream(labelFile(1)), "resource z"));
    assertThat(e).hasMessageThat().startsWith("resource z: wrong magic number");
  }

  @Test
  void emptyImagesFileIsValidWhenHeaderSaysZero() throws IOException {
    IdxImages img = Idx.readImages(write("zero", header(Idx.IMAGES_MAGIC, 0, 28, 28)));
    assertThat(img.count()).isEqualTo(0);
    assertThat(img.pixels()).isEmpty();
  }

  @Test
  void wrongMagicSaysWhatWasFoundAndExpected() throws IOException {
    DataFormatException e = rejectsImages(labelFile(1, 2));
    assertThat(e).hasMessageThat().contains("wrong magic number 0x00000801 (IDX unsigned byte, 1 dimension)");
    assertThat(e).hasMessageThat().contains("expected 0x00000803 (IDX image file)");
    assertThat(e).hasMessageThat().contains("label file");
    assertThat(e).hasMessageThat().contains("swapped");

    e = rejectsLabels(imageFile());
    assertThat(e).hasMessageThat().contains("wrong magic number 0x00000803 (IDX unsigned byte, 3 dimensions)");
    assertThat(e).hasMessageThat().contains("expected 0x00000801 (IDX label file)");

    e = rejectsImages(concat(header(0x00000D03, 1, 1, 1), new byte[4]));
    assertThat(e).hasMessageThat().contains("0x00000D03 (IDX float, 3 dimensions)");

    e = rejectsImages("PNG file, not IDX at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(e).hasMessageThat().contains("not an IDX file");

    e = rejectsImages(header(Integer.reverseBytes(Idx.IMAGES_MAGIC), 0, 0, 0));
    assertThat(e).hasMessageThat().contains("little-endian");
  }

  @Test
  void everyTruncationOfARawFileIsReported() throws IOException {
    byte[] full = imageFile();
    for (int len = 0; len < full.length; len++) {
      DataFormatException e = rejectsImages(Arrays.copyOf(full, len));
      String m = e.getMessage();
      if (len == 0) {
        assertThat(m).contains("empty file");
      } else if (len < 4) {
        assertThat(m).contains("only " + len + " bytes long");
      } else if (len < 16) {
        assertThat(m).contains("truncated header");
      } else {
        assertThat(m).contains("truncated: expected 24 bytes of pixel data (3 images of 2x4) but found " + (len - 16));
      }
    }
    byte[] labels = labelFile(1, 2, 3, 4, 5);
    for (int len = 0; len < labels.length; len++) {
      DataFormatException e = rejectsLabels(Arrays.copyOf(labels, len));
      if (len >= 8) {
        assertThat(e).hasMessageThat().contains("expected 5 bytes of label data (5 labels) but found " + (len - 8));
      }
    }
  }

  @Test
  void everyTruncationOfTheDecompressedDataIsReported() throws IOException {
    byte[] full = imageFile();
    for (int len = 0; len < full.length; len++) {
      DataFormatException e = rejectsImages(gzip(Arrays.copyOf(full, len)));
      if (len >= 16) {
        assertThat(e).hasMessageThat()
            .contains("expected 24 bytes of pixel data (3 images of 2x4) but found " + (len - 16) + " after decompression");
      }
    }
  }

  @Test
  void everyTruncationOfTheGzipFileIsReported() throws IOException {
    byte[] gz = gzip(imageFile());
    for (int len = 2; len < gz.length; len++) {
      DataFormatException e = rejectsImages(Arrays.copyOf(gz, len));
      // Cut inside the compressed stream or its trailer: gzip reports it, or the data is short.
      assertThat(e).hasMessageThat().containsMatch("corrupt or truncated gzip|truncated");
    }
  }

  @Test
  void corruptGzipIsReported() throws IOException {
    byte[] gz = gzip(imageFile());
    byte[] crc = gz.clone();
    crc[crc.length - 6] ^= 0x55; // CRC-32 in the trailer
    assertThat(rejectsImages(crc)).hasMessageThat().contains("corrupt or truncated gzip data");
    byte[] body = gz.clone();
    for (int i = 10; i < body.length - 8; i++) {
      body[i] = (byte) 0xff; // an invalid deflate block type
    }
    assertThat(rejectsImages(body)).hasMessageThat().contains("corrupt or truncated gzip data");
  }

  @Test
  void trailingBytesAreReported() throws IOException {
    byte[] longer = concat(imageFile(), new byte[3]);
    assertThat(rejectsImages(longer)).hasMessageThat().contains("expected 24 bytes of pixel data (3 images of 2x4) but found 27");
    assertThat(rejectsImages(gzip(longer))).hasMessageThat().contains("but found 27 after decompression");
  }

  @Test
  void absurdHeadersFailWithoutAllocating() throws IOException {
    // 4 billion images of 28x28 in a 16-byte file: too many pixels for an array
    DataFormatException e = rejectsImages(header(Idx.IMAGES_MAGIC, -1, 28, 28));
    assertThat(e).hasMessageThat().contains("implausible header: 4294967295 images of 28x28");
    // 1 million images of 28x28 fits an array but not the file: truncated, without allocating 784 MB
    e = rejectsImages(header(Idx.IMAGES_MAGIC, 1_000_000, 28, 28));
    assertThat(e).hasMessageThat().contains("expected 784000000 bytes of pixel data");
    assertThat(e).hasMessageThat().contains("found 0");
    // same in gzip: the buffer grows only as data arrives
    e = rejectsImages(gzip(concat(header(Idx.IMAGES_MAGIC, 2_000_000, 32, 32), new byte[100])));
    assertThat(e).hasMessageThat().contains("expected 2048000000 bytes of pixel data (2000000 images of 32x32) but found 100");
    e = rejectsLabels(gzip(header(Idx.LABELS_MAGIC, 2_000_000_000)));
    assertThat(e).hasMessageThat().contains("expected 2000000000 bytes of label data (2000000000 labels) but found 0 after decompression");
    e = rejectsLabels(header(Idx.LABELS_MAGIC, -2));
    assertThat(e).hasMessageThat().contains("implausible header: 4294967294 labels");
  }

  @Test
  void implausibleDimensionsAreReported() throws IOException {
    assertThat(rejectsImages(header(Idx.IMAGES_MAGIC, 1, 0, 28))).hasMessageThat()
        .contains("implausible image size 0x28");
    assertThat(rejectsImages(header(Idx.IMAGES_MAGIC, 1, 28, 100_000))).hasMessageThat()
        .contains("implausible image size 28x100000");
  }

  @Test
  void labelCountMustMatchImageCount() throws IOException {
    Path img = write("train-images", imageFile());
    Path lab = write("train-labels", labelFile(1, 2));
    DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.load(img, lab));
    assertThat(e).hasMessageThat()
        .isEqualTo(lab + ": holds 2 labels but " + img + " holds 3 images; they must be the same split of the same data set");
  }

  @Test
  void missingFileIsAnIOException() {
    IOException e = assertThrows(IOException.class, () -> Idx.readImages(dir.resolve("nope")));
    assertThat(e).hasMessageThat().contains("nope");
  }

  @Test
  void datasetSelectsAndSlices() throws IOException {
    Dataset d = Idx.combine(Idx.readImages(write("i", imageFile())), "i", new int[] {7, 8, 7}, "l");
    Dataset s = d.select(new int[] {2, 0});
    assertThat(s.labels()).isEqualTo(new int[] {7, 7});
    assertThat(s.images().pixels()[0]).isEqualTo(d.images().pixels()[16]);
    assertThat(d.slice(1, 3).labels()).isEqualTo(new int[] {8, 7});
    assertThat(d.classCounts()).isEqualTo(new int[] {0, 0, 0, 0, 0, 0, 0, 2, 1});
    float[] buf = new float[10];
    d.copyFeatures(1, buf, 2);
    assertThat(buf[2]).isEqualTo(d.images().pixels()[8]);
    assertThrows(IndexOutOfBoundsException.class, () -> d.select(new int[] {3}));
  }
}
