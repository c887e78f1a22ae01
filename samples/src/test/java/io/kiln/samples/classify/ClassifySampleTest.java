package io.kiln.samples.classify;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.runtime.data.Dataset;
import io.kiln.runtime.train.Adam;
import io.kiln.samples.data.FashionMnist;
import io.kiln.samples.lenet.KilnLeNet;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classify app on pictures rendered from Fashion-MNIST test images: as they are (PNG and PGM), inverted
 * (dark on light) and enlarged, each must give exactly the probabilities the model gives the original pixels.
 */
class ClassifySampleTest {
  @TempDir static Path dir;
  static Path modelFile;
  static KilnLeNet model;
  static Dataset test;

  /** One epoch on the embedded subset: enough to tell trousers from sandals (~75 % test accuracy), in seconds. */
  @BeforeAll
  static void trainAModel() throws IOException {
    FashionMnist.Splits data = FashionMnist.loadEmbedded();
    test = data.test();
    Dataset train = data.train();
    KilnLeNet net = KilnLeNet.create(1);
    Adam adam = new Adam(2e-3f);
    int batch = 64;
    float[] x = new float[batch * 784];
    int[] y = new int[batch];
    for (int start = 0; start + batch <= train.size(); start += batch) {
      for (int i = 0; i < batch; i++) {
        int index = (int) ((start + i) * 7919L % train.size()); // classes are stored in runs; this mixes them
        train.copyFeatures(index, x, i * 784);
        y[i] = train.label(index);
      }
      net.trainStep(x, y, adam);
    }
    modelFile = dir.resolve("lenet.safetensors");
    net.save(modelFile);
    model = KilnLeNet.load(modelFile);
  }

  private static float[] testImage(int index) {
    float[] px = new float[784];
    test.copyFeatures(index, px, 0);
    return px;
  }

  /** An 8-bit grey picture of {@code px} ([0, 1]), each pixel repeated {@code scale}×{@code scale}, maybe inverted. */
  private static BufferedImage render(float[] px, int scale, boolean invert) {
    BufferedImage img = new BufferedImage(28 * scale, 28 * scale, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 28 * scale; y++) {
      for (int x = 0; x < 28 * scale; x++) {
        int v = Math.round(px[(y / scale) * 28 + x / scale] * 255f);
        img.getRaster().setSample(x, y, 0, invert ? 255 - v : v);
      }
    }
    return img;
  }

  private static Path png(String name, BufferedImage img) throws IOException {
    Path file = dir.resolve(name);
    ImageIO.write(img, "png", file.toFile());
    return file;
  }

  private static Path pgm(String name, float[] px, boolean binary) throws IOException {
    Path file = dir.resolve(name);
    StringBuilder header = new StringBuilder(binary ? "P5\n" : "P2\n").append("# rendered by ClassifySampleTest\n28 28\n255\n");
    if (binary) {
      byte[] h = header.toString().getBytes(StandardCharsets.US_ASCII);
      byte[] all = new byte[h.length + 784];
      System.arraycopy(h, 0, all, 0, h.length);
      for (int i = 0; i < 784; i++) {
        all[h.length + i] = (byte) Math.round(px[i] * 255f);
      }
      Files.write(file, all);
    } else {
      for (int i = 0; i < 784; i++) {
        header.append(Math.round(px[i] * 255f)).append(i % 28 == 27 ? '\n' : ' ');
      }
      Files.writeString(file, header, StandardCharsets.US_ASCII);
    }
    return file;
  }

  private static String run(String... args) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = ClassifySample.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    return status + "\n" + text;
  }

  @Test
  void everyRenderingGivesTheModelsOwnAnswer() throws IOException {
    int checked = 0;
    int right = 0;
    for (int index = 0; index < test.size(); index += 97) {
      float[] px = testImage(index);
      List<ClassifySample.Prediction> expected = ClassifySample.top(model, px, 3);
      List<Path> files = List.of(
          png("plain-" + index + ".png", render(px, 1, false)),
          png("inverted-" + index + ".png", render(px, 1, true)),
          png("large-inverted-" + index + ".png", render(px, 3, true)),
          pgm("binary-" + index + ".pgm", px, true),
          pgm("plain-" + index + ".pgm", px, false));
      for (Path f : files) {
        ClassifySample.Input input = ClassifySample.prepare(ClassifySample.read(f));
        assertThat(input.pixels()).usingExactEquality().containsExactly(px).inOrder();
        assertThat(input.inverted()).isEqualTo(f.getFileName().toString().contains("inverted"));
        assertThat(input.resized()).isEqualTo(f.getFileName().toString().startsWith("large"));
        assertThat(ClassifySample.top(model, input.pixels(), 3)).isEqualTo(expected);
      }
      checked++;
      right += expected.get(0).label() == test.label(index) ? 1 : 0;
    }
    assertThat(right).isAtLeast(checked / 2); // the model has learned something
  }

  @Test
  void commandLinePrintsTheTopThree() throws IOException {
    int index = 0;
    float[] px = testImage(index);
    Path file = png("light.png", render(px, 2, true));
    String text = run(file.toString(), "--model", modelFile.toString());
    List<ClassifySample.Prediction> expected = ClassifySample.top(model, px, 3);
    System.out.print(text);
    assertThat(text).startsWith("0\n");
    assertThat(text).contains("56×56, resized to 28×28, inverted (light background)");
    assertThat(text).contains("1. " + expected.get(0).name());
    assertThat(text).contains("2. " + expected.get(1).name());
    assertThat(text).contains("3. " + expected.get(2).name());
    assertThat(text).containsMatch("1\\. .*\\d+\\.\\d%");
  }

  @Test
  void oddSizesAndColourPicturesArePreparedToo() throws IOException {
    BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 40; x++) {
        boolean shirt = x > 12 && x < 28 && y > 5 && y < 25;
        img.setRGB(x, y, shirt ? 0xff802020 : 0x00000000); // a red block on a transparent (white) background
      }
    }
    ClassifySample.Input input = ClassifySample.prepare(ClassifySample.read(png("colour.png", img)));
    assertThat(input.inverted()).isTrue();
    assertThat(input.resized()).isTrue();
    assertThat(input.pixels()).hasLength(784);
    assertThat(input.pixels()[0]).isEqualTo(0f);          // background → black
    assertThat(input.pixels()[14 * 28 + 14]).isGreaterThan(0.5f); // the block → light
    assertThat(run(png("colour2.png", img).toString(), "--model", modelFile.toString())).startsWith("0\n");
  }

  @Test
  void badInputGivesAClearMessage() throws IOException {
    Path notAnImage = dir.resolve("notes.txt");
    Files.writeString(notAnImage, "hello");
    assertThat(run(notAnImage.toString(), "--model", modelFile.toString()))
        .contains("is not an image this app reads");
    assertThat(run(dir.resolve("missing.png").toString(), "--model", modelFile.toString()))
        .contains("no such file");
    assertThat(run("x.png", "--model", dir.resolve("nothing.safetensors").toString()))
        .contains("no trained model at");
    assertThat(run()).contains("usage: ./kiln classify");
    Path truncated = dir.resolve("cut.pgm");
    Files.writeString(truncated, "P5\n28 28\n255\n\u0001\u0002");
    assertThat(run(truncated.toString(), "--model", modelFile.toString())).contains("truncated");
  }
}
