package io.kiln.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static io.kiln.runtime.io.SafeTensorsTest.file;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.kiln.runtime.Parameter;
import io.kiln.runtime.data.DataFormatException;
import io.kiln.runtime.data.Idx;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every loader against the files a fault probe (or an attacker) hands it: pipes, directories and
 * devices, headers built to exhaust the heap, names full of terminal escapes. Each gets one line
 * naming the path and the problem, quickly, and no hang.
 */
class HostileFilesTest {
  private static final Duration NO_HANG = Duration.ofSeconds(10);

  @TempDir Path dir;

  private static final List<Parameter> PARAMS = List.of(new Parameter("w", new int[] {1}, new float[1], null, 0));

  /** Every loader Kiln has, applied to one path. */
  private static List<Executable> everyLoader(Path p) {
    return List.of(
        () -> SafeTensors.open(p).close(),
        () -> ModelFiles.load(p, "M", PARAMS),
        () -> Checkpoints.load(p, "M", PARAMS, List.of(), null),
        () -> Idx.readImages(p),
        () -> Idx.readLabels(p));
  }

  private static void refusedByEveryLoader(Path p, String what) {
    for (Executable loader : everyLoader(p)) {
      IOException e = assertTimeoutPreemptively(NO_HANG, () -> assertThrows(IOException.class, loader));
      assertThat(e instanceof ModelFileException || e instanceof DataFormatException).isTrue();
      assertThat(e).hasMessageThat().contains(p.toString());
      assertThat(e).hasMessageThat().contains("is " + what + ", not a regular file");
      assertThat(e).hasMessageThat().doesNotContain("\n");
    }
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void aNamedPipeIsRefusedWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("model.safetensors");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertThat(mk.waitFor()).isEqualTo(0);
    refusedByEveryLoader(fifo, "a named pipe (FIFO)");
  }

  @Test
  void aDirectoryIsRefused() throws IOException {
    Path d = Files.createDirectory(dir.resolve("weights.safetensors"));
    refusedByEveryLoader(d, "a directory");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aDeviceIsRefused() {
    refusedByEveryLoader(Path.of("/dev/zero"), "a character device");
  }

  @Test
  void aSymbolicLinkToARegularFileIsFollowed() throws IOException {
    Path real = dir.resolve("real.safetensors");
    ModelFiles.save(real, "M", PARAMS);
    Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), real);
    ModelFiles.load(link, "M", PARAMS);
  }

  @Test
  void aMissingFileIsStillNoSuchFile() {
    // The samples' command lines turn this one into "no such file: PATH".
    assertThrows(java.nio.file.NoSuchFileException.class, () -> SafeTensors.open(dir.resolve("absent")));
    assertThrows(java.nio.file.NoSuchFileException.class, () -> Idx.readLabels(dir.resolve("absent")));
  }

  /** The probe's file: a header at the old 100 MiB limit. It is refused before a byte of it is read. */
  @Test
  void aHeaderOverTheLimitIsRefusedWithoutReadingIt() throws IOException {
    Path f = dir.resolve("huge.safetensors");
    long n = 100L << 20;
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(8 + n); // sparse: costs no disk
      raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array());
    }
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    long start = System.nanoTime();
    ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.open(f));
    long millis = (System.nanoTime() - start) / 1_000_000;
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(e).hasMessageThat().isEqualTo(f + " has a header of 104857600 bytes; Kiln reads headers of at most "
        + "16777216 bytes (100000 tensors)");
    assertThat(allocated).isLessThan(1L << 20);
    assertThat(millis).isLessThan(2000L);
  }

  /** A legal-size header of millions of tiny values stops parsing at the value budget. */
  @Test
  void aHeaderOfMillionsOfTinyValuesIsRefused() throws IOException {
    StringBuilder h = new StringBuilder("{\"__metadata__\":{");
    for (int i = 0; i < 800_000; i++) {
      h.append(i == 0 ? "" : ",").append('"').append(Integer.toString(i, 36)).append("\":\"\"");
    }
    h.append("}}");
    assertThat((long) h.length()).isLessThan(SafeTensors.MAX_HEADER_BYTES);
    Path f = dir.resolve("tiny-values.safetensors");
    Files.write(f, file(h.toString(), new byte[0]));
    ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.open(f));
    assertThat(e).hasMessageThat().contains("has an invalid JSON header: more than 1500000 JSON values at character");
  }

  @Test
  void moreTensorsThanTheLimitAreRefused() throws IOException {
    StringBuilder h = new StringBuilder("{");
    for (int i = 0; i <= SafeTensors.MAX_TENSORS; i++) {
      h.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
    }
    h.append('}');
    Path f = dir.resolve("many.safetensors");
    Files.write(f, file(h.toString(), new byte[0]));
    assertThat(assertThrows(ModelFileException.class, () -> SafeTensors.open(f)))
        .hasMessageThat().isEqualTo(f + " holds 100001 tensors; Kiln reads at most 100000");
  }

  /**
   * The largest headers Kiln parses open (or are refused) in a JVM limited to 256 MiB of heap: the
   * most tensors with names long enough to fill the byte limit, a metadata map of the most values,
   * and the most empty objects. (Measured: they need about 128, 160 and 160 MiB.)
   */
  @Test
  void theLargestLegalHeadersLoadIn256MiBOfHeap() throws Exception {
    Path tensors = HeaderHeapProbe.writeLargestTensorHeader(dir.resolve("most-tensors.safetensors"));
    Path metadata = HeaderHeapProbe.writeLargestMetadataHeader(dir.resolve("most-metadata.safetensors"));
    Path objects = HeaderHeapProbe.writeLargestEmptyObjectsHeader(dir.resolve("most-objects.safetensors"));
    for (Path f : List.of(tensors, metadata, objects)) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
          HeaderHeapProbe.class.getName(), f.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertWithMessage(out).that(p.waitFor()).isEqualTo(0);
      assertThat(out).startsWith(f == objects ? "refused (" + f + " has a __metadata__ entry that is not an object)"
          : "opened");
    }
  }

  /** A checkpoint listing a million optimizer buffers would make a million × parameters expectations. */
  @Test
  void aCheckpointListingAbsurdlyManyOptimizerBuffersIsRefused() throws IOException {
    io.kiln.runtime.train.Adam adam = new io.kiln.runtime.train.Adam(0.1f);
    StringBuilder names = new StringBuilder("b0");
    for (int i = 1; i < 1_000_000; i++) {
      names.append(",b").append(i);
    }
    Path f = dir.resolve("ckpt.safetensors");
    SafeTensors.write(f, Map.of(Checkpoints.FORMAT_KEY, "1", ModelFiles.MODEL_KEY, "M", Checkpoints.STEP_KEY, "0",
        Checkpoints.OPTIMIZER_KEY, adam.kind(), "kiln.optimizer.buffers", names.toString()),
        List.of(new SafeTensors.TensorData("w", new int[] {1}, new float[1])));
    ModelFileException e = assertThrows(ModelFileException.class, () -> Checkpoints.load(f, "M", PARAMS, List.of(), adam));
    assertThat(e).hasMessageThat().isEqualTo(f + " lists 1000000 optimizer buffers in kiln.optimizer.buffers; "
        + "optimizers keep at most 16");
  }

  @Test
  void textFromTheFileIsEscapedAndShortenedInMessages() throws IOException {
    String evilName = "w\u001b[2J\u001b]0;pwned\u0007\u202e" + "x".repeat(10_000);
    StringBuilder h = new StringBuilder("{");
    Json.quote(h, evilName);
    h.append(":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
    Path f = dir.resolve("evil.safetensors");
    Files.write(f, file(h.toString(), new byte[4]));
    ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(f, "M", PARAMS));
    String m = e.getMessage();
    assertThat(m).contains("unexpected tensors [w\\u001b[2J\\u001b]0;pwned\\u0007\\u202exxx");
    assertThat(m).contains("…");
    assertThat(m.length()).isLessThan(400);
    assertNoControlCharacters(m);

    StringBuilder d = new StringBuilder("{\"w\":{\"dtype\":");
    Json.quote(d, "\u001b[31mF32");
    d.append(",\"shape\":[1],\"data_offsets\":[0,4]}}");
    Files.write(f, file(d.toString(), new byte[4]));
    e = assertThrows(ModelFileException.class, () -> SafeTensors.open(f));
    assertThat(e).hasMessageThat().contains("has unknown dtype '\\u001b[31mF32' for tensor 'w'");
    assertNoControlCharacters(e.getMessage());

    Path owned = dir.resolve("owned.safetensors");
    SafeTensors.write(owned, Map.of(ModelFiles.MODEL_KEY, "\u001b[8m" + "y".repeat(500)), List.of());
    e = assertThrows(ModelFileException.class, () -> ModelFiles.load(owned, "M", PARAMS));
    assertThat(e).hasMessageThat().startsWith(owned + " holds model '\\u001b[8myyy");
    assertThat(e.getMessage().length()).isLessThan(owned.toString().length() + 150);
    assertNoControlCharacters(e.getMessage());

    Checkpoints.save(owned, "M", PARAMS, List.of(), null, 123456);
    String text = Files.readString(owned, java.nio.charset.StandardCharsets.ISO_8859_1);
    // Same length, so the header stays valid JSON of the declared size: "\u001b" is ESC in JSON.
    Files.writeString(owned, text.replace("\"kiln.step\":\"123456\"", "\"kiln.step\":\"\\u001b\""),
        java.nio.charset.StandardCharsets.ISO_8859_1);
    e = assertThrows(ModelFileException.class, () -> Checkpoints.load(owned, "M", PARAMS, List.of(), null));
    assertThat(e).hasMessageThat().endsWith("has no valid kiln.step metadata (a whole number): \\u001b");
  }

  @Test
  void manyUnexpectedTensorsAreCountedNotAllListed() throws IOException {
    List<SafeTensors.TensorData> many = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      many.add(new SafeTensors.TensorData("extra" + i, new int[] {0}, new float[0]));
    }
    many.add(new SafeTensors.TensorData("w", new int[] {1}, new float[1]));
    Path f = dir.resolve("crowded.safetensors");
    SafeTensors.write(f, Map.of(), many);
    ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(f, "M", PARAMS));
    assertThat(e).hasMessageThat().contains("[extra0, extra1, extra2, extra3, extra4, extra5, extra6, extra7, extra8, "
        + "extra9, … and 4990 more]");
  }

  private static void assertNoControlCharacters(String m) {
    for (char c : m.toCharArray()) {
      assertThat(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT).isFalse();
    }
  }
}
