package io.kiln.tools;

import static com.google.common.truth.Truth.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCurveTest {
  @TempDir Path dir;

  static TrainingCurve sample() {
    TrainingCurve c = new TrainingCurve("LeNet on Fashion-MNIST", "epoch");
    for (int e = 1; e <= 12; e++) {
      double loss = 0.25 + 2.0 / (e + 0.5);
      double acc = 0.95 - 0.4 / e;
      c.add(e, loss, acc, acc - 0.02 - 0.002 * e);
    }
    return c;
  }

  static int countColor(BufferedImage img, java.awt.Color color, int tolerance) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (Math.abs(r - color.getRed()) <= tolerance && Math.abs(g - color.getGreen()) <= tolerance
            && Math.abs(b - color.getBlue()) <= tolerance) {
          n++;
        }
      }
    }
    return n;
  }

  @Test
  void writesAReadablePngBesideTheCheckpoint() throws IOException {
    Path checkpoint = dir.resolve("lenet.safetensors");
    Path png = sample().writeBeside(checkpoint);
    assertThat(png).isEqualTo(dir.resolve("lenet-curve.png"));
    byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
    assertThat(head).isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(TrainingCurve.WIDTH);
    assertThat(img.getHeight()).isEqualTo(TrainingCurve.HEIGHT);
    int total = img.getWidth() * img.getHeight();
    int background = countColor(img, TrainingCurve.BACKGROUND, 0);
    assertThat(background).isLessThan(total);
    assertThat(background).isGreaterThan(total / 2);
    // each curve is drawn in its colour
    assertThat(countColor(img, TrainingCurve.LOSS_COLOR, 8)).isGreaterThan(500);
    assertThat(countColor(img, TrainingCurve.ACCURACY_COLOR, 8)).isGreaterThan(500);
    assertThat(countColor(img, TrainingCurve.TEST_COLOR, 8)).isGreaterThan(300);
    // no temp file left behind
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("lenet-curve.png");
    }
    // readable by others as usual (a temp file from Files.createTempFile would be 0600)
    if (png.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(Files.getPosixFilePermissions(png)).contains(java.nio.file.attribute.PosixFilePermission.OWNER_READ);
      assertThat(Files.getPosixFilePermissions(png)).isEqualTo(umaskPermissions(dir));
    }
  }

  /** The permissions a plain new file gets here. */
  static java.util.Set<java.nio.file.attribute.PosixFilePermission> umaskPermissions(Path dir) throws IOException {
    Path probe = Files.write(dir.resolve("probe"), new byte[0]);
    try {
      return Files.getPosixFilePermissions(probe);
    } finally {
      Files.delete(probe);
    }
  }

  @Test
  void lossOnlyEmptyAndGappyCurvesStillDraw() throws IOException {
    TrainingCurve loss = new TrainingCurve("loss only", "step");
    for (int s = 0; s < 500; s += 10) {
      loss.add(s, Math.exp(-s / 100.0) + (s == 250 ? Double.NaN : 0), Double.NaN);
    }
    Path f = dir.resolve("a.png");
    loss.writePng(f, 400, 300);
    BufferedImage img = ImageIO.read(f.toFile());
    assertThat(img.getWidth()).isEqualTo(400);
    assertThat(countColor(img, TrainingCurve.LOSS_COLOR, 8)).isGreaterThan(100);
    assertThat(countColor(img, TrainingCurve.ACCURACY_COLOR, 8)).isEqualTo(0);

    TrainingCurve empty = new TrainingCurve("nothing yet", "epoch");
    empty.writePng(f); // replaces the old file
    assertThat(ImageIO.read(f.toFile()).getWidth()).isEqualTo(TrainingCurve.WIDTH);

    TrainingCurve one = new TrainingCurve("one point", "epoch");
    one.add(1, 0.7, 0.8);
    one.writePng(f);
    assertThat(countColor(ImageIO.read(f.toFile()), TrainingCurve.ACCURACY_COLOR, 8)).isGreaterThan(10);
    assertThat(one.points()).containsExactly(new TrainingCurve.Point(1, 0.7, 0.8, Double.NaN));
  }

  @Test
  void besideCheckpointNames() {
    assertThat(TrainingCurve.besideCheckpoint(Path.of("runs", "lenet.safetensors")))
        .isEqualTo(Path.of("runs", "lenet-curve.png"));
    assertThat(TrainingCurve.besideCheckpoint(Path.of("model"))).isEqualTo(Path.of("model-curve.png"));
  }

  @Test
  void niceTicks() {
    assertThat(TrainingCurve.niceTicks(0, 2.3, 6)).usingTolerance(1e-12)
        .containsExactly(0, 0.5, 1.0, 1.5, 2.0, 2.5).inOrder();
    assertThat(TrainingCurve.niceTicks(1, 12, 8)).usingTolerance(1e-12)
        .containsExactly(0, 2, 4, 6, 8, 10, 12).inOrder();
  }

  /** Writes the sample chart to target/ so a person can look at it. */
  @Test
  void writesAnExampleForPeople() throws IOException {
    Path target = Path.of("target", "training-curve-example.png");
    if (Files.isDirectory(target.getParent())) {
      sample().writePng(target);
    }
  }
}
