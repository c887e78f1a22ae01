package io.kiln.samples.classify;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.runtime.Parameter;
import io.kiln.runtime.train.Adam;
import io.kiln.samples.CliRun;
import io.kiln.samples.lenet.KilnLeNet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./kiln classify} on what the fault probe gave it: bad usage (status 2), and models or pictures that cannot
 * be used (status 1): corrupt, a checkpoint, non-finite weights, too large, not a picture. One line each, no stack
 * trace, never a "NaN%" answer.
 */
class ClassifyCommandTest {
  @TempDir Path dir;
  Path model;
  Path picture;

  @BeforeEach
  void aModelAndAPicture() throws IOException {
    model = dir.resolve("lenet.safetensors");
    KilnLeNet.create(1).save(model);
    picture = dir.resolve("picture.png");
    ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", picture.toFile());
  }

  private CliRun classify(Path image, Path weights) {
    return CliRun.of("classify", image.toString(), "--model", weights.toString());
  }

  @Test
  void theSetUpClassifies() {
    CliRun r = classify(picture, model);
    assertThat(r.err()).isEmpty();
    assertThat(r.status()).isEqualTo(0);
    assertThat(r.out()).containsMatch("1\\. .* \\d+\\.\\d%");
  }

  @Test
  void badUsage() {
    CliRun.of("classify").failsWith(2, "kiln classify: name a picture; usage: ./kiln classify IMAGE.png|IMAGE.pgm");
    CliRun.of("classify", "a.png", "b.png").failsWith(2, "one picture at a time, but got 'a.png' and 'b.png'");
    CliRun.of("classify", "a.png", "--size", "3").failsWith(2, "unknown option --size");
    CliRun.of("classify", "a.png", "--model").failsWith(2, "--model needs a file");
    CliRun.of("classify", "a.png", "--model", "m", "--model=n").failsWith(2, "--model is given twice ('m' and 'n')");
  }

  @Test
  void aCorruptModelIsNamed() throws IOException {
    Path corrupt = Files.write(dir.resolve("corrupt.safetensors"), "not a model at all".getBytes(StandardCharsets.US_ASCII));
    classify(picture, corrupt).failsWith(1, corrupt.toString());
    classify(picture, dir).failsWith(1, "--model " + dir + ": is a directory");
    classify(picture, dir.resolve("none.safetensors")).failsWith(1, "no trained model at " + dir.resolve("none.safetensors"));
  }

  @Test
  void aCheckpointIsNotAModel() throws IOException {
    Path checkpoint = dir.resolve("lenet.checkpoint.safetensors");
    KilnLeNet net = KilnLeNet.create(1);
    Adam adam = new Adam(1e-3f);
    net.trainStep(new float[784], new int[] {3}, adam);
    net.saveCheckpoint(checkpoint, adam);
    classify(picture, checkpoint).failsWith(1, "--model " + checkpoint + " is a training checkpoint (weights and optimizer "
        + "state at step 1), not a model; pass the weights file");
  }

  @Test
  void nonFiniteWeightsAreRefusedNotPrintedAsNaNPercent() throws IOException {
    KilnLeNet net = KilnLeNet.create(1);
    Parameter p = net.parameters().get(1);
    p.set(Float.NaN, new int[p.shape().length]);
    Path nan = dir.resolve("nan.safetensors");
    net.save(nan);
    CliRun r = classify(picture, nan);
    r.failsWith(1, "--model " + nan + ": tensor '" + p.name() + "' holds NaN at index 0", "non-finite weights");
    assertThat(r.out()).doesNotContain("NaN");
  }

  @Test
  void weightsTooLargeToComputeWithAreRefused() throws IOException {
    KilnLeNet net = KilnLeNet.create(1);
    for (Parameter p : net.parameters()) {
      float[] big = new float[p.size()];
      Arrays.fill(big, 3e38f);
      p.copyFrom(big);
    }
    Path huge = dir.resolve("huge.safetensors");
    net.save(huge);
    ImageIO.write(lightSquare(), "png", picture.toFile());
    classify(picture, huge).failsWith(1, "--model " + huge + " gives non-finite probabilities");
  }

  private static BufferedImage lightSquare() {
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 8; y < 20; y++) {
      for (int x = 8; x < 20; x++) {
        img.getRaster().setSample(x, y, 0, 255);
      }
    }
    return img;
  }

  @Test
  void picturesThatCannotBeReadAreNamed() throws IOException {
    Path huge = dir.resolve("huge.png");
    try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(3L << 30); // sparse: 3 GiB on paper, nothing on disk
    }
    classify(huge, model).failsWith(1, "IMAGE " + huge + ": is 3 GiB; at most 256 MiB is accepted");
    classify(dir, model).failsWith(1, "IMAGE " + dir + ": is a directory");
    classify(dir.resolve("missing.png"), model).failsWith(1, "IMAGE " + dir.resolve("missing.png") + ": no such file");

    Path wide = Files.write(dir.resolve("wide.pgm"), "P5\n5000 10\n255\n".getBytes(StandardCharsets.US_ASCII));
    classify(wide, model).failsWith(1, wide + " is 5000×10 pixels; pictures up to 4096×4096 are read");
    Path widePng = dir.resolve("wide.png");
    ImageIO.write(new BufferedImage(5000, 1, BufferedImage.TYPE_BYTE_GRAY), "png", widePng.toFile());
    classify(widePng, model).failsWith(1, widePng + " is 5000×1 pixels; pictures up to 4096×4096 are read");

    byte[] png = Files.readAllBytes(picture);
    byte[] damaged = Arrays.copyOf(png, png.length);
    for (int i = 40; i < damaged.length - 12; i++) {
      damaged[i] ^= 0x5a; // keeps the signature and the header, ruins the pixel data
    }
    Path bad = Files.write(dir.resolve("damaged.png"), damaged);
    classify(bad, model).failsWith(1, bad + " is a damaged or unsupported PNG");

    Path text = Files.writeString(dir.resolve("notes.png"), "hello");
    classify(text, model).failsWith(1, text + " is not an image this app reads");
  }
}
