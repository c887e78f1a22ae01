package io.kiln.tools;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinePlotTest {
  @TempDir Path dir;

  private static final int BLUE = 0x1f77b4;
  private static final int ORANGE = 0xe66a00;

  private static int count(BufferedImage img, int rgb, int x0, int x1) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = x0; x < x1; x++) {
        if ((img.getRGB(x, y) & 0xffffff) == rgb) {
          n++;
        }
      }
    }
    return n;
  }

  @Test
  void aLogAxisDrawsEachSeriesInItsColourAndLeavesOutValuesItCannotPlace() throws Exception {
    LinePlot plot = new LinePlot("norms", "layer", "‖g‖", true)
        .add("small", new double[] {1, 2, 3}, new double[] {1e-12, 1e-6, 1}, false)
        .add("gap", new double[] {1, 2, 3}, new double[] {0, Double.NaN, 0}, false);
    Path png = dir.resolve("plot.png");
    plot.writePng(png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(LinePlot.WIDTH);
    int plotRight = LinePlot.WIDTH - 230;
    assertThat(count(img, BLUE, 80, plotRight)).isGreaterThan(100); // the line spans twelve decades
    assertThat(count(img, ORANGE, 80, plotRight)).isEqualTo(0); // zeros and NaN have no place on a log axis
    assertThat(count(img, ORANGE, plotRight, LinePlot.WIDTH)).isGreaterThan(0); // but the series keeps its legend entry
  }

  @Test
  void aLonePointIsMarkedSinceItDrawsNoLine() throws Exception {
    BufferedImage img = new LinePlot("one step", "step", "norm", true)
        .add("stopped", new double[] {1, 2}, new double[] {1e5, Double.NaN}, false).render(LinePlot.WIDTH, LinePlot.HEIGHT);
    assertThat(count(img, BLUE, 80, LinePlot.WIDTH - 230)).isAtLeast(40);
  }

  @Test
  void ticksAreOneTwoOrFiveTimesAPowerOfTen() {
    assertThat(LinePlot.niceStep(1.25)).isEqualTo(2.0);
    assertThat(LinePlot.niceStep(18.6)).isEqualTo(20.0);
    assertThat(LinePlot.niceStep(0.3)).isWithin(1e-12).of(0.5);
  }

  @Test
  void mismatchedLengthsAreRefusedNamingTheSeries() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new LinePlot("t", "x", "y", false).add("loss", new double[] {1, 2}, new double[] {1}, false));
    assertThat(e).hasMessageThat().contains("series 'loss' has 2 x values but 1 y values");
  }
}
